//! From findings to a score, a one-line verdict and the fixes to make first.
//!
//! Score: each applicable rule is worth its weight; a pass earns all of it,
//! a warning half, a failure nothing, and skipped rules are left out of both
//! sides. The result is scaled to 0-100. A failed critical rule does not
//! cap the score (one phrase would then swing it by half the scale): the
//! verdict says the message is likely deleted, and the score moves by that
//! rule's share only.
//!
//! Importance of a problem: the points it cost (a failure its weight, a
//! warning half), then the weight, then the order of the rules file. Rules
//! of one `group` in the rules file are one problem ("no reason" and "a
//! bare call-back" alike), so the fixes name a group once.

use super::finding::{Finding, Status};
use super::rules::RuleSet;

fn weight(rules: &RuleSet, id: &str) -> f64 {
    rules.rule(id).map_or(0.0, |r| r.spec.weight)
}

/// 0-100; 100 when nothing applied.
pub fn score(findings: &[Finding], rules: &RuleSet) -> u32 {
    weighted_score(findings, rules)
}

fn weighted_score(findings: &[Finding], rules: &RuleSet) -> u32 {
    let (mut got, mut total) = (0.0, 0.0);
    for f in findings {
        let w = weight(rules, &f.id);
        let earned = match f.status {
            Status::Pass => w,
            Status::Warn => w / 2.0,
            Status::Fail => 0.0,
            Status::Skip => continue,
        };
        got += earned;
        total += w;
    }
    if total <= 0.0 {
        return 100;
    }
    (100.0 * got / total).round().clamp(0.0, 100.0) as u32
}

/// Failed and warned findings, most important first.
fn ranked<'a>(findings: &'a [Finding], rules: &RuleSet) -> Vec<&'a Finding> {
    let order = |id: &str| {
        rules
            .rules
            .iter()
            .position(|r| r.spec.id == id)
            .unwrap_or(usize::MAX)
    };
    let lost = |f: &Finding| {
        let w = weight(rules, &f.id);
        if f.status == Status::Fail {
            w
        } else {
            w / 2.0
        }
    };
    let mut v: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .collect();
    v.sort_by(|a, b| {
        lost(b)
            .total_cmp(&lost(a))
            .then(weight(rules, &b.id).total_cmp(&weight(rules, &a.id)))
            .then(order(&a.id).cmp(&order(&b.id)))
    });
    v
}

/// Ids of the `n` most important distinct problems: failed or warned
/// rules, one per `group`.
pub fn top_fixes(findings: &[Finding], rules: &RuleSet, n: usize) -> Vec<String> {
    let group = |id: &str| {
        rules
            .rule(id)
            .and_then(|r| r.spec.group.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut seen = std::collections::HashSet::new();
    ranked(findings, rules)
        .into_iter()
        .filter(|f| seen.insert(group(&f.id)))
        .take(n)
        .map(|f| f.id.clone())
        .collect()
}

/// One line. "likely deleted: X" when a critical rule failed (or the score
/// is below 50); "may not be returned: X" for another failure; "likely to be
/// returned" otherwise, naming the first thing to polish when there are
/// warnings. X is the rule's `verdict` text.
pub fn verdict(findings: &[Finding], rules: &RuleSet, score: u32) -> String {
    let reason = |f: &Finding| {
        rules
            .rule(&f.id)
            .and_then(|r| r.spec.verdict.clone())
            .unwrap_or_else(|| f.id.replace('-', " "))
    };
    let is_critical = |f: &Finding| rules.rule(&f.id).is_some_and(|r| r.spec.critical);
    let ranked = ranked(findings, rules);
    let fails: Vec<&&Finding> = ranked.iter().filter(|f| f.status == Status::Fail).collect();
    if let Some(c) = fails.iter().find(|f| is_critical(f)) {
        return format!("likely deleted: {}", reason(c));
    }
    if let Some(f) = fails.first() {
        if score < 50 {
            return format!("likely deleted: {}", reason(f));
        }
        return format!("may not be returned: {}", reason(f));
    }
    match ranked.first() {
        Some(w) => format!("likely to be returned; to polish: {}", reason(w)),
        None => "likely to be returned".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, status: Status) -> Finding {
        Finding {
            id: id.into(),
            status,
            message: String::new(),
            evidence: vec![],
            advice: None,
            title: String::new(),
        }
    }

    #[test]
    fn one_failed_rule_moves_the_score_by_its_share_only() {
        let rules = RuleSet::default_rules();
        let mut findings: Vec<Finding> = rules
            .rules
            .iter()
            .map(|r| f(&r.spec.id, Status::Pass))
            .collect();
        assert_eq!(score(&findings, &rules), 100);
        let total: f64 = rules.rules.iter().map(|r| r.spec.weight).sum();
        let critical = rules.rules.iter().find(|r| r.spec.critical).unwrap();
        findings
            .iter_mut()
            .find(|x| x.id == critical.spec.id)
            .unwrap()
            .status = Status::Fail;
        let s = score(&findings, &rules);
        let share = 100.0 * critical.spec.weight / total;
        assert!(
            (100.0 - s as f64 - share).abs() <= 1.0,
            "{s}, share {share}"
        );
        assert!(verdict(&findings, &rules, s).starts_with("likely deleted"));
    }

    #[test]
    fn fixes_name_each_problem_once() {
        let rs = RuleSet::default_rules();
        let fs = vec![
            f("reason", Status::Fail),
            f("no-bare-callback", Status::Fail),
            f("no-generic-interest", Status::Fail),
            f("number-early", Status::Fail),
            f("thanks", Status::Fail),
        ];
        let top = top_fixes(&fs, &rs, 3);
        assert_eq!(top, ["reason", "number-early", "thanks"]);
    }

    #[test]
    fn pass_earns_full_weight_warn_half_and_skip_nothing() {
        let rs = RuleSet::default_rules();
        let w = |id| rs.rule(id).unwrap().spec.weight;
        let fs = vec![
            f("reason", Status::Pass),
            f("thanks", Status::Warn),
            f("pace", Status::Fail),
            f("connection", Status::Skip),
        ];
        let want = (100.0 * (w("reason") + w("thanks") / 2.0)
            / (w("reason") + w("thanks") + w("pace")))
        .round() as u32;
        assert_eq!(score(&fs, &rs), want);
        assert_eq!(score(&[f("connection", Status::Skip)], &rs), 100);
    }

    #[test]
    fn top_fixes_put_costly_failures_first() {
        let rs = RuleSet::default_rules();
        let fs = vec![
            f("thanks", Status::Fail),
            f("reason", Status::Fail),
            f("number-repeated", Status::Warn),
            f("identify-self", Status::Pass),
            f("fillers", Status::Fail),
        ];
        let top = top_fixes(&fs, &rs, 3);
        assert_eq!(top.len(), 3);
        assert_eq!(top[0], "reason");
        assert!(!top.contains(&"identify-self".to_string()));
    }

    #[test]
    fn a_critical_failure_means_deleted() {
        let rs = RuleSet::default_rules();
        let fs = vec![
            f("no-bare-callback", Status::Fail),
            f("thanks", Status::Pass),
        ];
        assert!(verdict(&fs, &rs, 90).starts_with("likely deleted: "));
        assert_eq!(
            verdict(&[f("thanks", Status::Pass)], &rs, 100),
            "likely to be returned"
        );
        assert!(verdict(&[f("number-repeated", Status::Warn)], &rs, 95)
            .starts_with("likely to be returned; to polish"));
    }
}
