//! Which kind of message is this, when the caller did not say? Cues from
//! the rules file (a referral or mutual connection points to networking; a
//! posting, role or opening to an application) are counted with their
//! weights; the heavier side wins, and a tie or silence gives the file's
//! default.

use super::finding::Kind;
use super::rules::text::TokenStream;
use super::rules::RuleSet;

/// The inferred kind and the cue weight heard for (networking, application).
pub fn infer_kind(stream: &TokenStream, rules: &RuleSet) -> (Kind, f64, f64) {
    let (mut net, mut app) = (0.0, 0.0);
    for cue in &rules.cues {
        let n: usize = cue
            .patterns
            .iter()
            .map(|p| p.find_all(stream, &rules.lexicon).len())
            .sum();
        let w = cue.weight * n as f64;
        match cue.kind {
            Kind::Networking => net += w,
            Kind::Application => app += w,
        }
    }
    let kind = if net > app {
        Kind::Networking
    } else if app > net {
        Kind::Application
    } else {
        rules.file.kind_cues.default
    };
    (kind, net, app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::script::estimate_words;

    fn kind_of(s: &str) -> Kind {
        let rs = RuleSet::default_rules();
        let w = estimate_words(s, 150.0);
        infer_kind(&TokenStream::build(&w, |_| false, |_| None), &rs).0
    }

    #[test]
    fn a_referral_makes_it_networking() {
        assert_eq!(kind_of("Hi, this is Omar. Lucia Ferrante suggested I call you about the water utilities in Tucson."), Kind::Networking);
        assert_eq!(
            kind_of("We have a mutual friend, Tessa Grant."),
            Kind::Networking
        );
    }

    #[test]
    fn a_posting_or_role_makes_it_an_application() {
        assert_eq!(
            kind_of("I'm calling about the opening for a payroll accountant that you posted."),
            Kind::Application
        );
        assert_eq!(
            kind_of("I saw your ad for the position and I have six years of experience."),
            Kind::Application
        );
    }

    #[test]
    fn no_cue_gives_the_default() {
        assert_eq!(
            kind_of("Hello there."),
            RuleSet::default_rules().file.kind_cues.default
        );
    }
}
