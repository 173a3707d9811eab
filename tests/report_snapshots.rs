//! Snapshots of the two report renderings for a written script, so any
//! change to what a user sees is reviewed. `check` needs no model, so these
//! are exact and fast.

use assert_cmd::Command;

fn check(args: &[&str]) -> String {
    let out = Command::cargo_bin("vmcoach")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn script(name: &str) -> String {
    // Relative, so the report's `source` is the same in every checkout.
    format!("fixtures/scripts/{name}")
}

#[test]
fn text_report_of_a_good_networking_script() {
    insta::assert_snapshot!(check(&[&script("net_good_referral.txt")]));
}

#[test]
fn text_report_of_a_generic_application_script() {
    insta::assert_snapshot!(check(&[&script("app_generic_sales.txt")]));
}

#[test]
fn json_report_of_a_good_application_script() {
    let json: serde_json::Value =
        serde_json::from_str(&check(&["--json", &script("app_good_chemist.txt")])).unwrap();
    insta::assert_json_snapshot!(json);
}

#[test]
fn piped_text_has_no_colour_codes() {
    let out = Command::cargo_bin("vmcoach")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", &script("net_good_referral.txt")])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn check_reads_a_script_from_standard_input() {
    let out = Command::cargo_bin("vmcoach")
        .unwrap()
        .args(["check", "-", "--json"])
        .write_stdin("Hi, this is Ana Ruiz, my number is 612-555-0147. Please call me back.")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["estimated_timing"], true);
    assert_eq!(v["phone_numbers"][0]["digits"], "6125550147");
    let bare = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "no-bare-callback")
        .unwrap();
    assert_eq!(bare["status"], "fail");
}

/// The text report of a script given on standard input, in lines wide
/// enough that none is wrapped.
fn check_unwrapped(script: &str) -> String {
    let out = Command::cargo_bin("vmcoach")
        .unwrap()
        .args(["check", "-"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .write_stdin(script)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// A one-word script gives no pace: "167 words/min" from a single word
/// would be a number made of nothing.
#[test]
fn a_one_word_script_gives_no_pace() {
    let text = check_unwrapped("hello");
    assert!(!text.contains("words/min"), "{text}");
    let headline = text.lines().nth(1).unwrap();
    assert!(
        headline.ends_with("0.4 s of speech  ·  too few words for a pace"),
        "{text}"
    );
}

/// Piped, the report wraps at `$COLUMNS`, else at 80 columns.
#[test]
fn piped_text_wraps_at_columns_or_eighty() {
    let longest = |columns: Option<&str>| {
        let mut cmd = Command::cargo_bin("vmcoach").unwrap();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", &script("net_good_referral.txt")])
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().map(|l| l.chars().count()).max().unwrap()
    };
    assert!((70..=80).contains(&longest(None)));
    assert!((45..=50).contains(&longest(Some("50"))));
}

#[test]
fn text_report_says_when_a_number_may_be_misheard() {
    let text = check_unwrapped(
        "Hi, this is Ana Ruiz about the dispatcher opening. My number is 503 550 198. I'll call Friday. Thanks.",
    );
    let line = text
        .lines()
        .find(|l| l.contains("not make out every digit"))
        .unwrap_or_else(|| panic!("{text}"));
    insta::assert_snapshot!(line);
}
