//! The top of the analysis: words in, [`Analysis`] out.

use std::collections::HashMap;

use serde::Serialize;

use super::finding::{Finding, Kind, Status};
use super::kind::infer_kind;
use super::meaning::{Greeting, Reading};
use super::metrics::{self, Delivery};
use super::phone::Hearings;
use super::phone::PhoneNumber;
use super::prosody::{self, Prosody, Track};
use super::rules::checks::{self, Ctx};
use super::rules::text::TokenStream;
use super::rules::{Rule, RuleSet};
use super::score;
use crate::transcribe::Word;

/// What [`analyze`] needs.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInput<'a> {
    pub words: &'a [Word],
    /// The phone numbers said in `words` (see [`super::phone::find_phone_numbers`]).
    pub numbers: &'a [PhoneNumber],
    /// What the number pass heard of them again (empty for scripts).
    pub hearings: &'a [Hearings],
    /// Length of the recording (0 when unknown, e.g. a script).
    pub duration_s: f64,
    /// The stretches where the audio's level detector heard voice (empty
    /// for scripts); the first and last bound the speech.
    pub voiced: &'a [(f64, f64)],
    /// `None`: infer it from what was said.
    pub kind: Option<Kind>,
    /// 1 for a first call, 2 for the second voicemail to the same person...
    pub attempt: u32,
    /// The number the caller meant to leave, any formatting.
    pub expect_number: Option<&'a str>,
    /// The caller's own name.
    pub expect_name: Option<&'a str>,
    pub rules: &'a RuleSet,
    /// The pitch track of the audio (None for a script: the voice checks
    /// are skipped).
    pub track: Option<&'a Track>,
}

/// A part of the message and when it was said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// "name", "number", "connection", "reason", "role", "experience",
    /// "follow-up", "thanks", "referral-offer", "earlier-call" (the rules
    /// file's `moment` names).
    pub part: String,
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// Everything vmcoach concluded about one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub kind: Kind,
    pub kind_inferred: bool,
    pub delivery: Delivery,
    pub phone_numbers: Vec<PhoneNumber>,
    /// One per rule, in the rules file's order; rules for repeat calls
    /// (`min_attempt`) only appear from that attempt on.
    pub findings: Vec<Finding>,
    pub score: u32,
    pub verdict: String,
    /// Rule ids of the most important failures and warnings, at most three.
    pub top_fixes: Vec<String>,
    /// The message rebuilt from what was said, in the advice's order, with
    /// marked blanks for what is missing (empty when nothing was heard).
    pub suggestion: String,
    pub timeline: Vec<Moment>,
    /// How the voice moved (None for a script).
    pub prosody: Option<Prosody>,
    /// The sentences and how close each came to each rule's
    /// examples (None without the sentence model).
    #[serde(skip)]
    pub reading: Option<Reading>,
}

/// Analyse one message.
pub fn analyze(input: &AnalysisInput) -> Analysis {
    let rules = input.rules;
    let words = input.words;
    let mut phones = input.numbers.to_vec();
    super::phone::judge(&mut phones, input.hearings, words, input.voiced);
    let mut delivery = metrics::measure(
        words,
        input.duration_s,
        crate::audio::levels::speech_span(input.voiced),
        &phones,
        &rules.file.delivery,
        &rules.file.fillers,
    );

    let prosody = input
        .track
        .map(|t| describe_voice(t, words, &delivery, &phones, rules));
    if let Some(p) = &prosody {
        let left_out = p.acoustic_fillers.iter().filter(|f| !f.in_transcript);
        delivery.add_acoustic_fillers(left_out.count());
    }

    let stream = token_stream(words, &delivery, &phones);

    let (kind, kind_inferred) = match input.kind {
        Some(k) => (k, false),
        None => (infer_kind(&stream, rules).0, true),
    };
    let attempt = input.attempt.max(1);
    // A model that fails on this message leaves the rules to their patterns.
    // (One that does not load at all is an error the commands report before
    // this: `RuleSet::load_meaning`.)
    let reading = rules
        .meaning
        .as_ref()
        .and_then(|m| m.get().ok())
        .and_then(|m| {
            let greetings = rules.vocab("greetings");
            let greeting = Greeting {
                greetings: &greetings,
                not_name: &rules.lexicon.not_name,
            };
            m.read(words, &stream, &greeting).ok()
        });

    let cx = Ctx {
        rules,
        words,
        stream: &stream,
        phones: &phones,
        delivery: &delivery,
        kind,
        attempt,
        expect_number: input
            .expect_number
            .filter(|s| s.chars().any(|c| c.is_ascii_digit())),
        expect_name: input.expect_name.filter(|s| !s.trim().is_empty()),
        prosody: prosody.as_ref(),
        reading: reading.as_ref(),
    };

    if words.is_empty() {
        let findings = nothing_heard(&cx);
        return Analysis {
            kind,
            kind_inferred,
            delivery,
            phone_numbers: phones,
            findings,
            score: 0,
            verdict: NOTHING_HEARD.to_string(),
            top_fixes: Vec::new(),
            suggestion: String::new(),
            timeline: Vec::new(),
            prosody,
            reading: None,
        };
    }

    let findings = evaluate_rules(&cx);

    let score = score::score(&findings, rules);
    let verdict = score::verdict(&findings, rules, score);
    let top_fixes = score::top_fixes(&findings, rules, 3);
    let timeline = timeline(&findings, &phones, rules);
    let suggestion = super::suggest::suggestion(&findings, &phones, kind);

    Analysis {
        kind,
        kind_inferred,
        delivery,
        phone_numbers: phones,
        findings,
        score,
        verdict,
        top_fixes,
        suggestion,
        timeline,
        prosody,
        reading,
    }
}

/// The verdict of a message in which no word was heard, with what to check.
pub const NOTHING_HEARD: &str =
    "no speech heard: is the microphone muted, or is this the right file?";

/// With no word heard there is nothing to judge: every rule active at this
/// attempt is skipped, so none of them turns into a fix for what was never
/// said.
fn nothing_heard(cx: &Ctx) -> Vec<Finding> {
    cx.rules
        .rules
        .iter()
        .filter(|r| active_at(r, cx.attempt))
        .map(|r| Finding {
            id: r.spec.id.clone(),
            status: Status::Skip,
            message: "Nothing heard to check.".into(),
            evidence: Vec::new(),
            advice: None,
            title: r.spec.title.clone().unwrap_or_default(),
        })
        .collect()
}

/// The prosody of a message, its statements ending at sentence ends and
/// phone numbers.
fn describe_voice(
    track: &Track,
    words: &[Word],
    delivery: &Delivery,
    phones: &[PhoneNumber],
    rules: &RuleSet,
) -> Prosody {
    let ends = prosody::statement_ends(words, phones);
    let fillers: Vec<(f64, f64)> = delivery
        .fillers
        .iter()
        .map(|f| (f.start_s, f.end_s))
        .collect();
    let numbers: Vec<(f64, f64)> = phones.iter().map(|p| (p.start_s, p.end_s)).collect();
    let spoken = prosody::Spoken {
        words,
        ends: &ends,
        fillers: &fillers,
        numbers: &numbers,
    };
    prosody::describe(track, &spoken, &rules.file.prosody)
}

/// The words as the rules read them, each marked as a filler or as part
/// of phone number `n`.
fn token_stream(words: &[Word], delivery: &Delivery, phones: &[PhoneNumber]) -> TokenStream {
    let mut filler = vec![false; words.len()];
    for f in &delivery.fillers {
        for i in f.words.clone() {
            filler[i] = true;
        }
    }
    let mut phone_of = vec![None; words.len()];
    for (pi, p) in phones.iter().enumerate() {
        for i in p.word_range.clone() {
            if let Some(slot) = phone_of.get_mut(i) {
                *slot = Some(pi);
            }
        }
    }
    TokenStream::build(words, |i| filler[i], |i| phone_of[i])
}

/// Rules for repeat calls (`min_attempt`) apply only from that attempt on.
fn active_at(rule: &Rule, attempt: u32) -> bool {
    rule.spec.min_attempt.is_none_or(|m| attempt >= m)
}

/// One finding per rule active at this attempt, in the rules file's order:
/// plain checks first, then the logic checks that read their outcomes; a
/// rule for the other kind of message is skipped.
fn evaluate_rules(cx: &Ctx) -> Vec<Finding> {
    let rules = cx.rules;
    let active: Vec<usize> = (0..rules.rules.len())
        .filter(|&i| active_at(&rules.rules[i], cx.attempt))
        .collect();
    let mut raw: HashMap<String, Status> = HashMap::new();
    let mut outcomes: Vec<Option<checks::Outcome>> = vec![None; rules.rules.len()];
    for pass in [false, true] {
        for &i in &active {
            let r = &rules.rules[i];
            if r.spec.check.is_logic() != pass {
                continue;
            }
            let o = checks::evaluate(r, cx, &raw);
            raw.insert(r.spec.id.clone(), o.status);
            outcomes[i] = Some(o);
        }
    }
    active
        .iter()
        .map(|&i| {
            let r = &rules.rules[i];
            let o = outcomes[i].take().expect("every active rule was evaluated");
            if r.applies_to(cx.kind) {
                Finding {
                    id: r.spec.id.clone(),
                    status: o.status,
                    message: o.message,
                    evidence: o.evidence,
                    advice: o.advice,
                    title: r.spec.title.clone().unwrap_or_default(),
                }
            } else {
                Finding {
                    id: r.spec.id.clone(),
                    status: Status::Skip,
                    message: format!(
                        "Applies to {} messages only.",
                        kinds_text(&r.spec.applies_to)
                    ),
                    evidence: Vec::new(),
                    advice: None,
                    title: r.spec.title.clone().unwrap_or_default(),
                }
            }
        })
        .collect()
}

fn kinds_text(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| match k {
            Kind::Networking => "networking",
            Kind::Application => "application",
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The parts of the message in the order they were said: every phone
/// number, and the evidence of each passing (or warned) rule that names a
/// `moment` in the rules file.
fn timeline(findings: &[Finding], phones: &[PhoneNumber], rules: &RuleSet) -> Vec<Moment> {
    let mut out: Vec<Moment> = phones
        .iter()
        .map(|p| Moment {
            part: "number".into(),
            text: match p.heard_as() {
                Some(digits) => format!("{} (heard as {digits})", p.text),
                None => p.text.clone(),
            },
            start_s: p.start_s,
            end_s: p.end_s,
        })
        .collect();
    for f in findings {
        if !matches!(f.status, Status::Pass | Status::Warn) {
            continue;
        }
        let Some(part) = rules.rule(&f.id).and_then(|r| r.spec.moment.clone()) else {
            continue;
        };
        for e in &f.evidence {
            let dup = out.iter().any(|m| m.part == part && m.start_s == e.start_s);
            if !dup {
                out.push(Moment {
                    part: part.clone(),
                    text: e.text.clone(),
                    start_s: e.start_s,
                    end_s: e.end_s,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.start_s
            .total_cmp(&b.start_s)
            .then(a.end_s.total_cmp(&b.end_s))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::phone::{find_phone_numbers, Hearing};
    use crate::analysis::script::estimate_words;

    struct Run<'a> {
        kind: Option<Kind>,
        attempt: u32,
        expect_number: Option<&'a str>,
        expect_name: Option<&'a str>,
        wpm: f64,
        hearings: &'a [Hearings],
    }

    impl Default for Run<'_> {
        fn default() -> Self {
            Run {
                kind: None,
                attempt: 1,
                expect_number: None,
                expect_name: None,
                wpm: 150.0,
                hearings: &[],
            }
        }
    }

    fn analyze_with(script: &str, o: Run) -> Analysis {
        let rules = RuleSet::default_rules();
        let words = estimate_words(script, o.wpm);
        let duration = words.last().map_or(0.0, |w| w.end_s);
        analyze(&AnalysisInput {
            words: &words,
            numbers: &find_phone_numbers(&words),
            hearings: o.hearings,
            duration_s: duration,
            voiced: &[],
            kind: o.kind,
            attempt: o.attempt,
            expect_number: o.expect_number,
            expect_name: o.expect_name,
            rules: &rules,
            track: None,
        })
    }

    fn net(script: &str) -> Analysis {
        analyze_with(
            script,
            Run {
                kind: Some(Kind::Networking),
                ..Run::default()
            },
        )
    }
    fn app(script: &str) -> Analysis {
        analyze_with(
            script,
            Run {
                kind: Some(Kind::Application),
                ..Run::default()
            },
        )
    }

    fn st(a: &Analysis, id: &str) -> Status {
        a.findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("no finding {id}"))
            .status
    }

    fn finding<'a>(a: &'a Analysis, id: &str) -> &'a Finding {
        a.findings.iter().find(|f| f.id == id).unwrap()
    }

    const GOOD_NET: &str = "Hi Rosa, this is Tobias Lindqvist, 503-555-0187. Your colleague Amira Haddad suggested I call you. \
        I'm researching municipal water treatment jobs in the Portland area and she said you know the field well. \
        I'll try you again Thursday afternoon. Thanks so much for your time. Again, 503-555-0187.";

    // ------------------------------------------------------------ identify-self

    #[test]
    fn saying_this_is_and_a_name_identifies_the_caller() {
        let a = net(GOOD_NET);
        assert_eq!(st(&a, "identify-self"), Status::Pass);
        assert!(finding(&a, "identify-self").evidence[0]
            .text
            .contains("Tobias"));
    }

    #[test]
    fn name_here_and_my_name_is_both_count() {
        assert_eq!(
            st(
                &net("Hey Carl, Wen Zhou here, about the bakery."),
                "identify-self"
            ),
            Status::Pass
        );
        assert_eq!(
            st(
                &net("Good morning. My name is, um, Okafor Bello."),
                "identify-self"
            ),
            Status::Pass
        );
    }

    #[test]
    fn greeting_the_listener_by_name_is_not_identifying_yourself() {
        let a = net("Hi Dana, calling about the supply chain roles. Call me at 612-555-0142.");
        assert_eq!(st(&a, "identify-self"), Status::Fail);
    }

    /// The name check's status on each networking message.
    fn names_are(cases: &[(&str, Status)]) {
        for (text, status) in cases {
            let a = net(text);
            let f = finding(&a, "identify-self");
            assert_eq!(f.status, *status, "{text}: {}", f.message);
        }
    }

    #[test]
    fn a_first_name_said_again_in_full_is_a_full_name() {
        names_are(&[
            (
                "Hi Colleen, this is Jess, Jess Albright, 802-555-0147.",
                Status::Pass,
            ),
            (
                "Hey Jo! So, this is, like, Hailey? Hailey Dunn? 502-555-0172.",
                Status::Pass,
            ),
            // Another full name later in the opening is not the caller's.
            (
                "Hi Laura, this is Dev. Marco Ruiz gave me your name.",
                Status::Warn,
            ),
        ]);
    }

    #[test]
    fn a_partial_name_said_in_full_right_after_is_a_full_name() {
        names_are(&[
            (
                "Hi, this is Bella, um, Isabella Russo, 973-555-0186.",
                Status::Pass,
            ),
            (
                "Good afternoon, I am Mr. Nakamura, Hiroshi Nakamura.",
                Status::Pass,
            ),
            (
                "Good afternoon, Geoffrey Pembroke ringing, on 312-555-0170.",
                Status::Pass,
            ),
        ]);
    }

    #[test]
    fn a_hyphenated_name_is_one_word_of_a_name() {
        names_are(&[
            ("Hi, this is Anne-Marie Duval, 802-555-0147.", Status::Pass),
            (
                "Hi, this is Parker, Parker Quillen-Hale, 801-555-0110.",
                Status::Pass,
            ),
            ("Hi, this is Anne-Marie, 802-555-0147.", Status::Warn),
            ("Hello, my name is Jae-won Seo, 541-555-0104.", Status::Pass),
        ]);
    }

    #[test]
    fn a_title_and_surname_are_a_partial_name_and_after_a_greeting_the_listener() {
        let a = net("Good evening, this is Mr. Thorne, 330-555-0148.");
        let f = finding(&a, "identify-self");
        assert_eq!(f.status, Status::Warn);
        assert!(f.message.contains("title and surname"), "{}", f.message);
        names_are(&[
            ("Hi, this is Dr. Ana Ruiz, 617-555-0100.", Status::Pass),
            (
                "Good afternoon, Mr. Hargrove. You can reach me on 603-555-0141.",
                Status::Fail,
            ),
        ]);
    }

    #[test]
    fn a_first_name_alone_right_before_the_number_is_a_partial_name() {
        names_are(&[
            (
                "Hey Gloria, Sean, 401-555-0106, Lisa said to call.",
                Status::Warn,
            ),
            ("Hey Gloria, 401-555-0106, Lisa said to call.", Status::Fail),
        ]);
    }

    #[test]
    fn a_bare_name_may_go_on_with_whom_the_call_is_for_or_at_the_number() {
        names_are(&[
            (
                "Greta Holm for Mr. Castellano, 515-555-0150. Thanks.",
                Status::Pass,
            ),
            (
                "Yvette, Hank Sorensen at 775-555-0192. Frank Tillery suggested you.",
                Status::Pass,
            ),
            // "at" before anything but the number is not a name's end.
            (
                "Hi Laura, Marco Ruiz at the meetup gave me your name.",
                Status::Fail,
            ),
        ]);
    }

    /// Ways of saying things that the patterns take without the sentence
    /// model: a referral in the passive or the present tense, an offer of
    /// referrals, experience in seasons or flight hours, and a résumé
    /// check in other words.
    #[test]
    fn patterns_take_everyday_wordings() {
        for (text, id, status) in [
            (
                "Your name was given to me by Professor Alice Ward.",
                "connection",
                Status::Pass,
            ),
            (
                "Mrs. Ortega at the Cheyenne library tell me you know everybody.",
                "connection",
                Status::Pass,
            ),
            (
                "I find your name in the website of the association.",
                "connection",
                Status::Pass,
            ),
            ("I saw your name once.", "connection", Status::Fail),
            (
                "I found you in the member directory.",
                "connection",
                Status::Pass,
            ),
            (
                "We talk at your booth at the job fair.",
                "connection",
                Status::Pass,
            ),
            (
                "Your former student Camila is my friend.",
                "connection",
                Status::Pass,
            ),
            (
                "I'd like to talk to your manager.",
                "connection",
                Status::Fail,
            ),
            (
                "So your cousin Nick, he said you run the pharmacy.",
                "connection",
                Status::Pass,
            ),
            (
                "I came across your profile on the alumni site.",
                "connection",
                Status::Pass,
            ),
        ] {
            assert_eq!(st(&net(text), id), status, "{text}");
        }
        for (text, id, status) in [
            (
                "If it's not me, my old shift partner would be perfect.",
                "offer-referral",
                Status::Pass,
            ),
            (
                "I know a guy who would be great for it.",
                "offer-referral",
                Status::Pass,
            ),
            (
                "I have a friend who would be perfect too.",
                "offer-referral",
                Status::Pass,
            ),
            (
                "I have a friend who told me about it.",
                "offer-referral",
                Status::Warn,
            ),
            (
                "I know someone who works at your company.",
                "offer-referral",
                Status::Warn,
            ),
            (
                "If I'm not your guy, I can find you one.",
                "offer-referral",
                Status::Pass,
            ),
            (
                "I can share the posting with my old team.",
                "offer-referral",
                Status::Pass,
            ),
            (
                "Your Madison cheese plant needs a food safety manager.",
                "reason",
                Status::Pass,
            ),
            (
                "Your clinic is hiring night nurses, I heard.",
                "reason",
                Status::Pass,
            ),
            (
                "I'm looking for a job, any job really.",
                "reason",
                Status::Fail,
            ),
            (
                "Seven seasons on detachable chairlifts at Stowe.",
                "experience",
                Status::Pass,
            ),
            (
                "Two thousand hours in Alaska, float rated.",
                "experience",
                Status::Pass,
            ),
            (
                "Is my application, like, showing up on your end?",
                "no-resume-check",
                Status::Fail,
            ),
            (
                "I hope my résumé reached you.",
                "no-resume-check",
                Status::Fail,
            ),
            ("Has my CV been received?", "no-resume-check", Status::Fail),
            (
                "I can bring my résumé by on Monday.",
                "no-resume-check",
                Status::Pass,
            ),
        ] {
            assert_eq!(st(&app(text), id), status, "{text}");
        }
    }

    #[test]
    fn a_misspelt_expected_name_still_matches() {
        let a = analyze_with(
            "Hello, this is Katherine Oyelaran, 415-555-0199.",
            Run {
                expect_name: Some("Catherine Oyelaran"),
                ..Run::default()
            },
        );
        assert_eq!(st(&a, "identify-self"), Status::Pass);
    }

    #[test]
    fn a_different_name_than_expected_fails() {
        let a = analyze_with(
            "Hello, this is Marcus Bell.",
            Run {
                expect_name: Some("Priya Raman"),
                ..Run::default()
            },
        );
        let f = finding(&a, "identify-self");
        assert_eq!(f.status, Status::Fail);
        assert!(f.message.contains("Marcus Bell"), "{}", f.message);
    }

    // ------------------------------------------------------------ numbers

    #[test]
    fn number_right_after_the_name_is_early() {
        assert_eq!(st(&net(GOOD_NET), "number-early"), Status::Pass);
    }

    #[test]
    fn number_said_only_after_the_reason_is_late() {
        let a = net("Hi, this is Tobias Lindqvist. Your colleague Amira Haddad suggested I call you, because I'm researching \
            municipal water treatment jobs in the Portland area and she said you know the field well. You can reach me at 503-555-0187.");
        let f = finding(&a, "number-early");
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.evidence.len(), 1);
        assert_eq!(st(&a, "number-repeated"), Status::Warn);
    }

    #[test]
    fn no_number_at_all_fails_early_and_complete() {
        let a = net("Hi, this is Tobias Lindqvist. I'm researching water treatment in Portland.");
        assert_eq!(st(&a, "number-early"), Status::Fail);
        assert_eq!(st(&a, "number-complete"), Status::Fail);
        assert_eq!(st(&a, "number-pace"), Status::Skip);
    }

    #[test]
    fn seven_digits_without_an_area_code_is_incomplete() {
        let a = net("Hi, this is Tobias Lindqvist at 555-0187.");
        let f = finding(&a, "number-complete");
        assert_eq!(f.status, Status::Fail);
        assert!(f.message.contains("area code"), "{}", f.message);
    }

    #[test]
    fn spoken_digits_with_double_make_a_complete_number() {
        let a =
            net("This is Tobias Lindqvist, five oh three, double five five, oh one eight seven.");
        assert_eq!(a.phone_numbers.len(), 1, "{:?}", a.phone_numbers);
        assert_eq!(st(&a, "number-complete"), Status::Pass);
    }

    #[test]
    fn a_country_code_makes_a_complete_number() {
        let a = net("This is Ines Carvalho, plus 44 20 7946 0958.");
        assert_eq!(st(&a, "number-complete"), Status::Pass);
    }

    #[test]
    fn a_number_other_than_expected_names_the_differing_group() {
        let a = analyze_with(
            "This is Tobias Lindqvist, 503-555-0178.",
            Run {
                expect_number: Some("503-555-0187"),
                ..Run::default()
            },
        );
        let f = finding(&a, "number-complete");
        assert_eq!(f.status, Status::Fail);
        assert!(f.message.contains("line"), "{}", f.message);
        let a = analyze_with(
            "This is Tobias Lindqvist, 503-555-0187.",
            Run {
                expect_number: Some("(503) 555 0187"),
                ..Run::default()
            },
        );
        assert_eq!(st(&a, "number-complete"), Status::Pass);
    }

    #[test]
    fn a_complete_number_not_heard_for_sure_is_a_warning() {
        let script = "This is Tobias Lindqvist, 503-555-0187. Thanks.";
        let heard_otherwise = [Hearings {
            number: 0,
            again: Some(Hearing {
                from_s: 0.0,
                text: "5 0 3, 5 5 5, 0 1 8 8.".into(),
            }),
            ..Hearings::default()
        }];
        let with = |expect_number| {
            analyze_with(
                script,
                Run {
                    kind: Some(Kind::Networking),
                    expect_number,
                    hearings: &heard_otherwise,
                    ..Run::default()
                },
            )
        };
        let a = with(None);
        assert!(a.phone_numbers[0].uncertain);
        let f = finding(&a, "number-complete");
        assert_eq!(f.status, Status::Warn);
        assert!(f.message.contains("503-555-0187"), "{}", f.message);
        assert!(f.message.contains("for sure"), "{}", f.message);
        // The number meant, given: the digits are the ones meant.
        assert_eq!(
            st(&with(Some("503-555-0187")), "number-complete"),
            Status::Pass
        );
        assert_eq!(st(&net(script), "number-complete"), Status::Pass);
    }

    #[test]
    fn a_number_heard_alike_twice_then_recounted_apart_is_still_repeated() {
        let script = "This is Tobias Lindqvist, please call 503 555 018. I look forward to \
                      talking with you about the opening. Again, that's 503 555 018.";
        let words = estimate_words(script, 150.0);
        let found = find_phone_numbers(&words);
        assert_eq!(found.len(), 2);
        let counted = |number: usize, text: &str| Hearings {
            number,
            recount: Some(Hearing {
                from_s: found[number].start_s,
                text: text.into(),
            }),
            ..Hearings::default()
        };
        let hearings = [
            counted(0, "5 0 3, 5 5 5, 0 1 8 7"),
            counted(1, "5 0 3, 5 5 5, 0 1 8 8"),
        ];
        let a = analyze_with(
            script,
            Run {
                kind: Some(Kind::Networking),
                hearings: &hearings,
                ..Run::default()
            },
        );
        let digits: Vec<&str> = a.phone_numbers.iter().map(|p| p.digits.as_str()).collect();
        assert_eq!(digits, ["5035550187", "5035550188"]);
        assert_eq!(st(&a, "number-repeated"), Status::Pass);
        let said: Vec<&str> = a
            .timeline
            .iter()
            .filter(|m| m.part == "number")
            .map(|m| m.text.as_str())
            .collect();
        assert_eq!(
            said,
            [
                "503 555 018. (heard as 503-555-0187)",
                "503 555 018. (heard as 503-555-0188)"
            ]
        );
        // The checks quote the words and say what they were heard as.
        let quoted: Vec<(&str, Option<&str>)> = finding(&a, "number-repeated")
            .evidence
            .iter()
            .map(|e| (e.text.as_str(), e.heard_as.as_deref()))
            .collect();
        assert_eq!(
            quoted,
            [
                ("503 555 018.", Some("503-555-0187")),
                ("503 555 018.", Some("503-555-0188"))
            ]
        );
        let plain = net(GOOD_NET);
        assert!(finding(&plain, "number-repeated")
            .evidence
            .iter()
            .all(|e| e.heard_as.is_none()));
        // Two numbers that were never heard alike are two numbers.
        let a = net(
            "This is Tobias Lindqvist, please call 503 555 0187. I look forward to talking \
             with you about the opening. My office is 503 555 0188.",
        );
        assert_eq!(st(&a, "number-repeated"), Status::Warn);
    }

    #[test]
    fn number_repeated_at_the_end_passes() {
        let a = net(GOOD_NET);
        let f = finding(&a, "number-repeated");
        assert_eq!(f.status, Status::Pass, "{}", f.message);
        assert_eq!(f.evidence.len(), 2);
    }

    #[test]
    fn a_number_rattled_off_is_too_fast() {
        let a = analyze_with(
            "This is Tobias Lindqvist, 503-555-0187.",
            Run {
                wpm: 300.0,
                ..Run::default()
            },
        );
        assert_eq!(st(&a, "number-pace"), Status::Warn);
        let a = net("This is Tobias Lindqvist, 503, 555, 0187.");
        assert_eq!(st(&a, "number-pace"), Status::Pass);
    }

    // ------------------------------------------------------------ content

    #[test]
    fn a_mutual_friend_is_a_connection() {
        assert_eq!(
            st(&net("We have a mutual friend, Gil Ashworth."), "connection"),
            Status::Pass
        );
        assert_eq!(
            st(&net("Gil Ashworth gave me your name."), "connection"),
            Status::Pass
        );
        assert_eq!(st(&net("I found you online."), "connection"), Status::Fail);
    }

    #[test]
    fn connection_is_skipped_for_applications() {
        assert_eq!(st(&app(GOOD_NET), "connection"), Status::Skip);
    }

    #[test]
    fn calling_about_something_concrete_is_a_reason() {
        assert_eq!(
            st(
                &net("I'm calling because I'm moving into hospital pharmacy in Tacoma."),
                "reason"
            ),
            Status::Pass
        );
        assert_eq!(st(&net("The reason I'm calling is the night-shift supervisor opening at your Elgin plant."), "reason"), Status::Pass);
    }

    #[test]
    fn calling_about_the_job_is_no_concrete_reason() {
        assert_eq!(
            st(&app("I'm calling about the job."), "reason"),
            Status::Fail
        );
        assert_eq!(
            st(
                &app("I'm calling because I'd like you to call me back."),
                "reason"
            ),
            Status::Fail
        );
    }

    #[test]
    fn a_specialty_with_a_place_is_a_specific_role() {
        let a = app("I'm a formulation chemist in Charlotte.");
        assert_eq!(st(&a, "specific-role"), Status::Pass);
        let a = app("I saw your posting for an engineer job in Houston.");
        assert_eq!(st(&a, "specific-role"), Status::Fail);
    }

    #[test]
    fn years_in_a_field_are_experience() {
        assert_eq!(
            st(
                &app("I have eleven years of experience in coatings."),
                "experience"
            ),
            Status::Pass
        );
        assert_eq!(
            st(
                &app("I spent 6 years running a packaging line."),
                "experience"
            ),
            Status::Pass
        );
        assert_eq!(st(&app("I am a hard worker."), "experience"), Status::Fail);
    }

    #[test]
    fn follow_up_with_a_day_passes_without_one_warns() {
        assert_eq!(
            st(&net("I'll try you again Thursday afternoon."), "follow-up"),
            Status::Pass
        );
        assert_eq!(st(&net("I'll follow up."), "follow-up"), Status::Warn);
        assert_eq!(
            st(&net("Hope to hear from you."), "follow-up"),
            Status::Fail
        );
    }

    #[test]
    fn thanking_passes_and_silence_fails() {
        assert_eq!(st(&net("Thanks so much."), "thanks"), Status::Pass);
        assert_eq!(st(&net("I appreciate it."), "thanks"), Status::Pass);
        assert_eq!(st(&net("Bye now."), "thanks"), Status::Fail);
    }

    #[test]
    fn thanks_to_someone_and_a_favour_asked_are_no_thanks() {
        // The rules' `unless` phrases take these matches away...
        assert_eq!(
            st(&net("Thanks to Dr. Greene I have your name."), "thanks"),
            Status::Fail
        );
        assert_eq!(
            st(&net("I would appreciate a call back."), "thanks"),
            Status::Fail
        );
        assert_eq!(
            st(&net("A call back would be much appreciated."), "thanks"),
            Status::Fail
        );
        // ...but not a real thanks said beside them.
        assert_eq!(
            st(
                &net("Thanks to Dr. Greene I have your name. Thank you for your time."),
                "thanks"
            ),
            Status::Pass
        );
    }

    #[test]
    fn a_resume_check_said_in_other_words_is_caught() {
        for said in [
            "Also, did the resume I emailed reach you?",
            "Is my CV in your system for the designer role?",
            "I am calling to confirm that my application for the paralegal vacancy was duly received.",
        ] {
            assert_eq!(st(&net(said), "no-resume-check"), Status::Fail, "{said}");
        }
        assert_eq!(
            st(&net("Happy to email my resume tonight."), "no-resume-check"),
            Status::Pass
        );
    }

    #[test]
    fn bare_callback_without_reason_fails() {
        let a = net("Hi, this is Vera Nkemelu, 404-555-0163. Please call me back at 404-555-0163.");
        let f = finding(&a, "no-bare-callback");
        assert_eq!(f.status, Status::Fail);
        assert!(!f.evidence.is_empty());
        assert!(a.verdict.starts_with("likely deleted"), "{}", a.verdict);
    }

    #[test]
    fn callback_request_with_a_reason_passes() {
        let a = net("Hi, this is Vera Nkemelu. I'm calling because I'm researching hospice nursing in Atlanta. Please call me back.");
        assert_eq!(st(&a, "no-bare-callback"), Status::Pass);
        assert_eq!(
            st(&net("Hi, this is Vera Nkemelu."), "no-bare-callback"),
            Status::Pass
        );
    }

    #[test]
    fn generic_interest_without_specifics_fails() {
        let a = app("Hi, this is Lena Frost. I saw your posting for a sales position and I'm very interested. \
            I'd like to learn more. Please call me at 312-555-0110.");
        assert_eq!(st(&a, "no-generic-interest"), Status::Fail);
        assert_eq!(st(&a, "no-bare-callback"), Status::Fail);
        assert_eq!(st(&a, "specific-role"), Status::Fail);
    }

    #[test]
    fn interest_backed_by_a_specific_role_passes() {
        let a = app(
            "I'm very interested in your opening for a controls engineer for food packaging lines.",
        );
        assert_eq!(st(&a, "no-generic-interest"), Status::Pass);
    }

    #[test]
    fn asking_whether_the_resume_arrived_fails() {
        assert_eq!(
            st(
                &app("I'm just calling to make sure you received my résumé."),
                "no-resume-check"
            ),
            Status::Fail
        );
        assert_eq!(
            st(&app("Did you get my application?"), "no-resume-check"),
            Status::Fail
        );
        assert_eq!(
            st(&app("I have nine years in payroll."), "no-resume-check"),
            Status::Pass
        );
    }

    #[test]
    fn counting_unanswered_calls_and_pleading_fail() {
        assert_eq!(
            st(
                &app("This is the fourth time I've called."),
                "no-desperation"
            ),
            Status::Fail
        );
        assert_eq!(
            st(
                &app("I still haven't heard back from anyone."),
                "no-desperation"
            ),
            Status::Fail
        );
        assert_eq!(
            st(
                &app("Please, please call me. I really need a job."),
                "no-desperation"
            ),
            Status::Fail
        );
        assert_eq!(
            st(&app("I'll take anything you have."), "no-desperation"),
            Status::Fail
        );
        assert_eq!(
            st(&app("This is my second call."), "no-desperation"),
            Status::Pass
        );
    }

    #[test]
    fn offering_referrals_passes_and_its_absence_only_warns() {
        assert_eq!(
            st(
                &app("If I'm not the right fit, I know a few people who might be."),
                "offer-referral"
            ),
            Status::Pass
        );
        assert_eq!(st(&app("Thanks."), "offer-referral"), Status::Warn);
    }

    // ------------------------------------------------------------ delivery

    #[test]
    fn a_few_seconds_of_speech_is_too_short() {
        assert_eq!(st(&net("Hi, call me."), "length"), Status::Fail);
        assert_eq!(st(&net(GOOD_NET), "length"), Status::Pass);
    }

    #[test]
    fn a_long_ramble_is_too_long() {
        let long = format!("{GOOD_NET} {GOOD_NET} {GOOD_NET}");
        assert_eq!(st(&net(&long), "length"), Status::Fail);
    }

    #[test]
    fn speaking_rate_bands() {
        assert_eq!(st(&net(GOOD_NET), "pace"), Status::Pass);
        let fast = analyze_with(
            GOOD_NET,
            Run {
                wpm: 260.0,
                ..Run::default()
            },
        );
        assert_eq!(st(&fast, "pace"), Status::Fail);
        let slow = analyze_with(
            GOOD_NET,
            Run {
                wpm: 100.0,
                ..Run::default()
            },
        );
        assert_eq!(st(&slow, "pace"), Status::Warn);
    }

    #[test]
    fn many_fillers_fail() {
        let a = net("Um, hi, uh, this is, um, Tobias Reed, and, uh, I was, like, calling about, um, the, uh, water jobs, you know, in Portland.");
        assert_eq!(st(&a, "fillers"), Status::Fail);
        assert!(a.delivery.filler_count >= 8, "{:?}", a.delivery.fillers);
        // The fillers do not break the phrases around them.
        assert_eq!(st(&a, "identify-self"), Status::Pass);
    }

    // ------------------------------------------------------------ attempts, score, kind

    #[test]
    fn a_second_attempt_should_be_short_and_mention_the_first() {
        let a = analyze_with(
            "Hi Rosa, Tobias Lindqvist again, 503-555-0187. I left you a message last week; Amira Haddad suggested we talk. \
             I'll try you Friday. Thanks. 503-555-0187.",
            Run { kind: Some(Kind::Networking), attempt: 2, ..Run::default() },
        );
        assert_eq!(st(&a, "attempt-short"), Status::Pass);
        assert_eq!(st(&a, "attempt-mentions-earlier"), Status::Pass);
        assert!(a.findings.iter().all(|f| f.id != "attempt-mail-note"));
        let first = net(GOOD_NET);
        assert!(first.findings.iter().all(|f| !f.id.starts_with("attempt-")));
    }

    #[test]
    fn a_fourth_attempt_suggests_a_note_by_mail() {
        let a = analyze_with(
            GOOD_NET,
            Run {
                kind: Some(Kind::Networking),
                attempt: 4,
                ..Run::default()
            },
        );
        let f = finding(&a, "attempt-mail-note");
        assert_eq!(f.status, Status::Warn);
        assert!(f.advice.as_deref().unwrap_or("").contains("postcard"));
        assert_eq!(st(&a, "attempt-mentions-earlier"), Status::Warn);
    }

    #[test]
    fn a_good_message_scores_high_and_is_likely_returned() {
        let a = net(GOOD_NET);
        let bad: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| &f.id)
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(a.score >= 90, "{}", a.score);
        assert!(
            a.verdict.starts_with("likely to be returned"),
            "{}",
            a.verdict
        );
        assert!(a.top_fixes.len() <= 3);
    }

    #[test]
    fn the_kind_is_inferred_when_not_given() {
        let a = analyze_with(GOOD_NET, Run::default());
        assert_eq!(a.kind, Kind::Networking);
        assert!(a.kind_inferred);
        let a = analyze_with(
            "I'm calling about the payroll accountant opening you posted.",
            Run::default(),
        );
        assert_eq!(a.kind, Kind::Application);
        assert!(!net(GOOD_NET).kind_inferred);
    }

    #[test]
    fn the_timeline_follows_the_message_order() {
        let a = net(GOOD_NET);
        let parts: Vec<&str> = a.timeline.iter().map(|m| m.part.as_str()).collect();
        let pos = |p: &str| {
            parts
                .iter()
                .position(|x| *x == p)
                .unwrap_or_else(|| panic!("{p} missing from {parts:?}"))
        };
        assert!(pos("name") < pos("number"));
        assert!(pos("number") < pos("connection"));
        assert!(pos("connection") < pos("reason"));
        assert!(pos("reason") < pos("follow-up"));
        assert!(pos("follow-up") < pos("thanks"));
        assert_eq!(parts.iter().filter(|p| **p == "number").count(), 2);
    }

    #[test]
    fn every_failure_or_warning_carries_advice() {
        let a = app("Hi. Please call me back.");
        for f in &a.findings {
            if matches!(f.status, Status::Fail | Status::Warn) {
                assert!(f.advice.is_some(), "{} has no advice", f.id);
            }
        }
    }

    #[test]
    fn analysis_serialises_to_json() {
        let a = net(GOOD_NET);
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["kind"], "networking");
        assert!(v["delivery"]["words_per_minute"].as_f64().unwrap() > 100.0);
        assert_eq!(v["findings"][0]["status"], "pass");
    }

    /// Words as whisper might give them: leading spaces, no capitals, digits
    /// as words, a contraction split off, no punctuation.
    fn whisperish(text: &str) -> Vec<Word> {
        let mut t = 0.3;
        text.split(' ')
            .map(|w| {
                let word = Word {
                    text: format!(" {w}").replace(" +", ""),
                    start_s: t,
                    end_s: t + 0.3,
                    confidence: 0.9,
                };
                t += 0.4;
                word
            })
            .collect()
    }

    #[test]
    fn whisper_style_words_survive_case_contractions_and_number_words() {
        let words = whisperish(
            "hi this is dana whitfield my number is six one two five five five zero one four two \
             i +'ll call you back on thursday morning thank you",
        );
        let rules = RuleSet::default_rules();
        let a = analyze(&AnalysisInput {
            words: &words,
            numbers: &find_phone_numbers(&words),
            hearings: &[],
            duration_s: 15.0,
            voiced: &[(0.2, 12.4)],
            kind: Some(Kind::Networking),
            attempt: 1,
            expect_number: Some("612-555-0142"),
            expect_name: Some("Dana Whitfield"),
            rules: &rules,
            track: None,
        });
        assert_eq!(st(&a, "identify-self"), Status::Pass);
        assert_eq!(st(&a, "number-complete"), Status::Pass);
        assert_eq!(st(&a, "follow-up"), Status::Pass);
        assert_eq!(st(&a, "thanks"), Status::Pass);
        assert_eq!(a.delivery.span_source, "audio");
        assert_eq!(a.delivery.speech_start_s, 0.2);
    }

    #[test]
    fn lowercase_verbs_are_not_taken_for_names() {
        let words = whisperish("hi i am researching water jobs");
        let rules = RuleSet::default_rules();
        let a = analyze(&AnalysisInput {
            words: &words,
            numbers: &find_phone_numbers(&words),
            hearings: &[],
            duration_s: 5.0,
            voiced: &[],
            kind: Some(Kind::Networking),
            attempt: 1,
            expect_number: None,
            expect_name: None,
            rules: &rules,
            track: None,
        });
        assert_eq!(st(&a, "identify-self"), Status::Fail);
    }

    #[test]
    fn contractions_and_number_forms_match_either_way() {
        assert_eq!(
            st(&net("I will try you again Friday."), "follow-up"),
            Status::Pass
        );
        assert_eq!(
            st(&app("I have 7 years in payroll."), "experience"),
            Status::Pass
        );
        assert_eq!(
            st(&app("This is the 3rd time I am calling."), "no-desperation"),
            Status::Fail
        );
        assert_eq!(
            st(
                &app("I AM CALLING TO MAKE SURE YOU GOT MY RESUME"),
                "no-resume-check"
            ),
            Status::Fail
        );
    }

    #[test]
    fn quotes_hold_the_whole_name_and_end_where_the_phrase_ends() {
        let a = net(
            "Hi, this is Renee Du Bois. I am researching supply chain jobs in Minneapolis \
             and would value your advice on local firms. Thank you for your time.",
        );
        let quote = |id| finding(&a, id).evidence[0].text.clone();
        assert_eq!(
            finding(&a, "identify-self").message,
            "Says who is calling (Renee Du Bois)."
        );
        assert_eq!(quote("identify-self"), "this is Renee Du Bois.");
        assert_eq!(quote("thanks"), "Thank you for your time.");
        assert!(quote("reason").ends_with("would value your advice on local firms."));
        // A phrase with no end in sight is cut after a few words, and says so.
        let long = net(&format!(
            "I am researching {}",
            ["supply chain"; 30].join(" ")
        ));
        let reason = &finding(&long, "reason").evidence[0].text;
        assert!(
            reason.ends_with(" …") && reason.split(' ').count() < 30,
            "{reason}"
        );
    }

    #[test]
    fn an_empty_transcript_says_nothing_was_heard_and_gives_no_content_fixes() {
        let a = net("");
        assert!(a.verdict.starts_with("no speech heard"), "{}", a.verdict);
        assert!(a.verdict.contains("microphone muted"), "{}", a.verdict);
        assert_eq!(a.score, 0);
        assert!(a.top_fixes.is_empty(), "{:?}", a.top_fixes);
        assert!(a.timeline.is_empty());
        assert!(!a.findings.is_empty());
        for f in &a.findings {
            assert_eq!(f.status, Status::Skip, "{}", f.id);
            assert!(f.advice.is_none(), "{}", f.id);
        }
    }
}
