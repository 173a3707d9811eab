//! The real Whisper model on real audio: the synthesized fixtures, a
//! professional human voice from Debian's asterisk-core-sounds-en-wav, and
//! files with no speech at all. These fail, never skip, without the model.

mod common;

use common::*;
use serde_json::Value;

fn labels() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("labels.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["fixtures"].as_array().unwrap().clone()
}

/// The digits of each number a fixture's label says is in it.
fn number_digits(label: &Value) -> Vec<&str> {
    label["number_digits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect()
}

fn digits_of(text: &str) -> String {
    normalise(text)
        .into_iter()
        .filter(|w| w.len() == 1 && w.as_bytes()[0].is_ascii_digit())
        .collect()
}

/// Measured with tiny.en and the built-in prompt (scripts/eval-asr fixtures):
/// 6.1 % WER over all fixtures (7.0 % before long messages were heard in
/// pieces), the worst fixture 14.6 % (names such as
/// "Priya Raman" and "Dubois" are misspelt), and 10 of 13 numbers heard
/// digit for digit (an "oh" inside a number is sometimes written as 4 or
/// dropped). The limits below sit just outside those numbers, so a real
/// regression fails the test.
const MAX_WER_ALL: f64 = 0.08;
const MAX_WER_ONE: f64 = 0.15;
const MIN_NUMBERS_EXACT: usize = 10;

#[test]
fn fixtures_transcribe_accurately_with_their_numbers() {
    let (mut errors, mut words, mut exact, mut numbers_said) = (0.0, 0.0, 0, 0);
    let mut failures = Vec::new();
    for label in labels() {
        let file = fixture(label["file"].as_str().unwrap());
        let doc = transcribe_json(&file, &[]);
        let hyp = doc["transcript"].as_str().unwrap();
        let reference = label["text"].as_str().unwrap();
        let wer = wer(reference, hyp);
        let n = normalise(reference).len() as f64;
        errors += wer * n;
        words += n;
        let heard = digits_of(hyp);
        let numbers = number_digits(&label);
        let mut unheard = Vec::new();
        for number in &numbers {
            numbers_said += 1;
            if heard.contains(number) {
                exact += 1;
            } else {
                unheard.push(*number);
            }
        }
        eprintln!(
            "{:<44} WER {:>5.1}%  numbers not heard exactly: {unheard:?}",
            file.file_name().unwrap().to_string_lossy(),
            wer * 100.0
        );
        if wer > MAX_WER_ONE {
            failures.push(format!(
                "{}: WER {:.1}%\n  ref: {reference}\n  hyp: {hyp}",
                file.display(),
                wer * 100.0
            ));
        }
    }
    let overall = errors / words;
    eprintln!(
        "all fixtures: WER {:.1}%, numbers digit-exact {exact}/{numbers_said}",
        overall * 100.0
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        overall <= MAX_WER_ALL,
        "overall WER {:.1}%",
        overall * 100.0
    );
    assert!(
        exact >= MIN_NUMBERS_EXACT,
        "only {exact} of {numbers_said} numbers heard digit for digit"
    );
}

/// A message, 10 s of silence, and another: longer than one window, so it
/// is heard as pieces with the silence cut out. Both numbers are heard and
/// the second message's words keep their place in the recording.
#[test]
fn a_long_recording_heard_in_pieces_keeps_its_words_in_place() {
    let (first, rate) = read_wav(&fixture("networking-good-slt-16k.wav"));
    let (second, rate2) = read_wav(&fixture("application-resume-check-awb-16k.wav"));
    assert_eq!(rate, rate2);
    let gap_at = first.len() as f64 / rate as f64;
    let second_at = gap_at + 10.0;
    let mut samples = first.clone();
    samples.resize(samples.len() + 10 * rate as usize, 0.0);
    samples.extend_from_slice(&second);
    let dir = tempfile::tempdir().unwrap();
    let joined = dir.path().join("two.wav");
    write_wav(&joined, rate, &samples);
    assert!(samples.len() as f64 / rate as f64 > 30.0);

    let pieces = transcribe_json(&joined, &[]);
    let alone = transcribe_json(&fixture("application-resume-check-awb-16k.wav"), &[]);
    let words = pieces["words"].as_array().unwrap();
    let start = |w: &Value| w["start_s"].as_f64().unwrap();
    assert!(
        words
            .iter()
            .all(|w| start(w) < gap_at + 0.3 || start(w) > second_at - 0.3),
        "a word was placed in the silence: {words:?}"
    );
    let labels = labels();
    for file in [
        "networking-good-slt-16k.wav",
        "application-resume-check-awb-16k.wav",
    ] {
        let label = labels.iter().find(|l| l["file"] == file).unwrap();
        let number = label["number_digits"][0].as_str().unwrap();
        assert!(
            digits_of(pieces["transcript"].as_str().unwrap()).contains(number),
            "{number} not heard"
        );
    }
    // The second message's first word is where it is when heard alone.
    let first_after = words.iter().find(|w| start(w) > gap_at + 1.0).unwrap();
    let alone_first = &alone["words"][0];
    assert_eq!(first_after["text"], alone_first["text"]);
    assert!(
        (start(first_after) - (second_at + start(alone_first))).abs() < 0.3,
        "{first_after} vs {alone_first} + {second_at}"
    );
}

#[test]
fn json_words_have_ordered_times_and_confidences() {
    let doc = transcribe_json(&fixture("networking-good-slt-16k.wav"), &[]);
    assert_eq!(doc["schema"], 1);
    let duration = doc["duration_s"].as_f64().unwrap();
    let words = doc["words"].as_array().unwrap();
    assert!(words.len() > 30);
    let mut last = 0.0;
    for w in words {
        let (s, e, c) = (
            w["start_s"].as_f64().unwrap(),
            w["end_s"].as_f64().unwrap(),
            w["confidence"].as_f64().unwrap(),
        );
        assert!(s >= last - 1e-9 && e >= s && e <= duration + 1e-9, "{w}");
        assert!((0.0..=1.0).contains(&c), "{w}");
        last = s;
    }
}

#[test]
fn silence_gives_an_empty_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("silence.wav");
    write_wav(&f, 16_000, &vec![0.0; 16_000 * 5]);
    let doc = transcribe_json(&f, &[]);
    assert_eq!(doc["transcript"], "");
    assert_eq!(doc["words"].as_array().unwrap().len(), 0);
}

/// A silent take is reported as nothing heard, alike in text, JSON and
/// HTML: the verdict says so with what to check, the score is 0 and no
/// fix asks for content that was never said.
#[test]
fn a_silent_take_leads_with_no_speech_heard_in_every_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("silence.wav");
    let page = dir.path().join("silence.html");
    write_wav(&f, 16_000, &vec![0.0; 16_000 * 5]);
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("vmcoach")
            .unwrap()
            .args(["--model", model().to_str().unwrap(), "analyze"])
            .arg(&f)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&["--html", page.to_str().unwrap()]);
    let second = text.lines().nth(1).unwrap();
    assert!(
        second.starts_with("Score 0/100  no speech heard: is the microphone muted"),
        "{text}"
    );
    assert!(
        !text.contains("Fix first") && !text.contains("reason"),
        "{text}"
    );
    // No kind guessed from nothing, and no pitch of 0 Hz for a voice never heard.
    assert!(
        text.lines().next().unwrap().contains("nothing was said"),
        "{text}"
    );
    assert!(
        !text.contains("networking") && !text.contains("0 Hz"),
        "{text}"
    );
    assert!(text.contains("voice: no voiced sound to measure"), "{text}");
    let doc: Value = serde_json::from_str(&run(&["--json"])).unwrap();
    assert_eq!(doc["speech_heard"], false);
    assert_eq!(doc["score"], 0);
    assert!(doc["verdict"]
        .as_str()
        .unwrap()
        .starts_with("no speech heard"));
    assert_eq!(doc["top_fixes"].as_array().unwrap().len(), 0);
    assert!(doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "skip"));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("no speech heard: is the microphone muted"));
    assert!(html.contains("nothing was said") && !html.contains("networking message"));
    assert!(
        !html.contains("the number belongs here"),
        "a silent take has no place for a number"
    );
    assert!(!html.contains("Fix first"));
}

#[test]
fn noise_alone_gives_an_empty_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hiss.wav");
    let mut x = 0x2545_f491u32;
    let hiss: Vec<f32> = (0..16_000 * 6)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 - 0.5) * 0.2
        })
        .collect();
    write_wav(&f, 16_000, &hiss);
    let doc = transcribe_json(&f, &[]);
    assert_eq!(doc["transcript"], "", "{doc}");
}

/// A recording with a DC offset (a tenth of full scale, as a cheap sound
/// card gives) is heard like the same recording without it, not as "no
/// speech found".
#[test]
fn a_dc_offset_does_not_hide_the_speech() {
    let dir = tempfile::tempdir().unwrap();
    let (speech, rate) = read_wav(&fixture("networking-good-slt-16k.wav"));
    let shifted: Vec<f32> = speech.iter().map(|s| s + 0.09).collect();
    let f = dir.path().join("offset.wav");
    write_wav(&f, rate, &shifted);
    let plain = transcribe_json(&fixture("networking-good-slt-16k.wav"), &[]);
    let doc = transcribe_json(&f, &[]);
    let words = doc["words"].as_array().unwrap().len();
    assert!(words > 20, "{doc}");
    let error = wer(
        plain["transcript"].as_str().unwrap(),
        doc["transcript"].as_str().unwrap(),
    );
    assert!(error < 0.1, "{error}: {}", doc["transcript"]);
}

/// A take stopped soon after its last word: that word ends where it is
/// said, as in the same take with seconds of silence after it, not at the
/// end of the recording (whisper.cpp takes a timestamp within 1 s of the
/// end of its input for the end of the audio).
#[test]
fn the_last_word_ends_where_it_is_said_when_the_take_stops_soon_after() {
    let (speech, rate) = read_wav(&fixture("application-desperation-kal16-16k.wav"));
    let dir = tempfile::tempdir().unwrap();
    let last_end = |seconds_after: f64| {
        let mut samples = speech.clone();
        samples.resize(speech.len() + (seconds_after * rate as f64) as usize, 0.0);
        let f = dir.path().join(format!("take-{seconds_after}.wav"));
        write_wav(&f, rate, &samples);
        let doc = transcribe_json(&f, &[]);
        let words = doc["words"].as_array().unwrap().clone();
        let last = words.last().unwrap_or_else(|| panic!("no words: {doc}"));
        (
            last["end_s"].as_f64().unwrap(),
            samples.len() as f64 / rate as f64,
        )
    };
    let (settled, _) = last_end(3.0);
    for seconds_after in [0.0, 0.5] {
        let (end, duration) = last_end(seconds_after);
        assert!(
            (end - settled).abs() < 0.05 && end < duration - 0.3,
            "{seconds_after} s after: the last word ends at {end} s of {duration} s, \
             with 3 s of silence after it at {settled} s"
        );
    }
}

#[test]
fn audio_shorter_than_a_second_is_padded_and_transcribed() {
    // One asterisk prompt of well under a second: whisper.cpp alone refuses it.
    let (prompt, rate) = read_wav(&asterisk("digits/5.wav"));
    assert!(prompt.len() < rate as usize);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("five.wav");
    write_wav(&f, rate, &prompt);
    let doc = transcribe_json(&f, &[]);
    assert_eq!(digits_of(doc["transcript"].as_str().unwrap()), "5", "{doc}");
}

fn asterisk(name: &str) -> std::path::PathBuf {
    let p = std::path::Path::new("/usr/share/asterisk/sounds/en").join(name);
    assert!(
        p.exists(),
        "{} missing: ./scripts/test installs asterisk-core-sounds-en-wav",
        p.display()
    );
    p
}

#[test]
fn a_real_voice_saying_a_phone_number_is_heard_digit_for_digit() {
    // Professional 8 kHz telephone prompts, one per digit, joined in groups
    // the way people say a number.
    let number = "3125550198";
    let (mut joined, mut rate) = (vec![0.0f32; 4_000], 8_000);
    for (i, d) in number.chars().enumerate() {
        let (s, r) = read_wav(&asterisk(&format!("digits/{d}.wav")));
        rate = r;
        joined.extend(s);
        let gap = if i == 2 || i == 5 { 0.45 } else { 0.08 };
        joined.extend(vec![0.0; (gap * r as f64) as usize]);
    }
    joined.extend(vec![0.0; 4_000]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("number.wav");
    write_wav(&f, rate, &joined);
    let doc = transcribe_json(&f, &[]);
    assert_eq!(
        digits_of(doc["transcript"].as_str().unwrap()),
        number,
        "{doc}"
    );
}

#[test]
fn real_voice_prompts_give_their_known_text() {
    for (name, text) in [
        ("vm-goodbye.wav", "goodbye"),
        (
            "vm-intro.wav",
            "please leave your message after the tone when done hang up or press the pound key",
        ),
    ] {
        let doc = transcribe_json(&asterisk(name), &[]);
        let hyp = doc["transcript"].as_str().unwrap();
        assert!(wer(text, hyp) <= 0.15, "{name}: {hyp:?}");
    }
}

/// Phrase starts in the fixtures are exact (each phrase was synthesized on
/// its own and joined with known gaps). Measured with DTW word times and its
/// lag removed: median error 0.06 s, worst 0.48 s (scripts/eval-timing).
#[test]
fn phrase_starts_are_heard_at_their_true_times() {
    let mut errors = Vec::new();
    for label in labels() {
        let doc = transcribe_json(&fixture(label["file"].as_str().unwrap()), &[]);
        let words: Vec<(String, f64)> = doc["words"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|w| {
                let start = w["start_s"].as_f64().unwrap();
                normalise(w["text"].as_str().unwrap())
                    .into_iter()
                    .map(move |t| (t, start))
            })
            .collect();
        // Each phrase's first word, looked for in order after the last match.
        let mut from = 0;
        for phrase in label["phrases"].as_array().unwrap() {
            let Some(first) = normalise(phrase["text"].as_str().unwrap())
                .into_iter()
                .next()
            else {
                continue;
            };
            let truth = phrase["start_s"].as_f64().unwrap();
            let hit = words[from..]
                .iter()
                .position(|(t, s)| *t == first && (s - truth).abs() < 2.0)
                .map(|k| from + k);
            if let Some(k) = hit {
                errors.push((words[k].1 - truth).abs());
                from = k + 1;
            }
        }
    }
    errors.sort_by(f64::total_cmp);
    let median = errors[errors.len() / 2];
    let worst = *errors.last().unwrap();
    eprintln!(
        "{} phrase starts: median error {median:.3} s, worst {worst:.3} s",
        errors.len()
    );
    assert!(
        errors.len() >= 60,
        "only {} phrase starts found",
        errors.len()
    );
    assert!(median <= 0.12, "median phrase-start error {median:.3} s");
    assert!(worst <= 0.8, "worst phrase-start error {worst:.3} s");
}

/// The fixtures' labels say which checks each message clearly passes or
/// fails. Through the real model, `analyze` agreed on 138 of 148 (93 %);
/// the misses come from mishearing (a number with a digit dropped, "email"
/// heard as "amale") and one label asking `number-pace` to fail where the
/// rule only warns.
#[test]
fn analyze_agrees_with_the_fixture_labels() {
    let files: Vec<std::path::PathBuf> = labels()
        .iter()
        .map(|l| fixture(l["file"].as_str().unwrap()))
        .collect();
    let out = assert_cmd::Command::cargo_bin("vmcoach")
        .unwrap()
        .arg("--model")
        .arg(model())
        .arg("analyze")
        .arg("--json")
        .args(&files)
        .output()
        .unwrap();
    succeeded(&out);
    let (mut agree, mut total) = (0, 0);
    let (mut exact, mut said, mut wrong_but_sure) = (0, 0, Vec::new());
    for (line, label) in String::from_utf8(out.stdout).unwrap().lines().zip(labels()) {
        let report: Value = serde_json::from_str(line).unwrap();
        assert!(report["source"]
            .as_str()
            .unwrap()
            .ends_with(label["file"].as_str().unwrap()));
        let truth = number_digits(&label);
        said += truth.len();
        for n in report["phone_numbers"].as_array().unwrap() {
            let digits = n["digits"].as_str().unwrap();
            let confidence = n["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&confidence), "{n}");
            if truth.contains(&digits) {
                exact += 1;
            } else if n["uncertain"] != true {
                wrong_but_sure.push(format!("{}: {digits}", label["file"]));
            }
        }
        for (id, expected) in label["expect"].as_object().unwrap() {
            let Some(rule) = report["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == *id)
            else {
                continue;
            };
            total += 1;
            if rule["status"] == *expected {
                agree += 1;
            } else {
                eprintln!(
                    "{}: {id} expected {expected}, got {}",
                    label["file"], rule["status"]
                );
            }
        }
    }
    // Measured: 13 of 13 numbers digit-exact (among them 555 in every one,
    // 0147, 0111, 0199, 0110); two were first heard a digit or two short,
    // and a too-fast one with a 4 for "oh": all three were recounted and
    // are marked uncertain.
    eprintln!(
        "numbers digit-exact {exact}/{said}; wrong and not marked uncertain: {wrong_but_sure:?}"
    );
    assert!(
        wrong_but_sure.is_empty(),
        "numbers reported wrong without doubt: {wrong_but_sure:?}"
    );
    assert!(exact >= 12, "only {exact} of {said} numbers digit-exact");
    eprintln!("analyze agrees with the labels on {agree}/{total}");
    assert!(total >= 140, "only {total} labelled checks compared");
    assert!(
        agree as f64 >= 0.9 * total as f64,
        "agreement {agree}/{total}"
    );
}

/// The model tells the number said from the same number a digit short or
/// long (the recount of a number heard with a wrong digit count rests on
/// this): on the stretch of `networking-good-slt-16k.wav` that holds
/// "six one two, five five five, oh one four seven", the reading said gets
/// the highest log-probability, encoded afresh or by a second hearing.
#[test]
fn the_number_said_fits_its_audio_better_than_one_digit_more_or_less() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("networking-good-slt-16k.wav");
    let number = &number;
    assert_eq!(number.digits, "6125550147");
    let cut = number_cut(&audio, number, true);
    let readings: Vec<String> = [
        "6 1 2, 5 5 5, 0 1 4 7",
        "6 1 2, 5 5, 0 1 4 7",
        "6 1 2, 5 5 5 5, 0 1 4 7",
        "6 1 2, 5 5 5, 0 0 1 4 7",
        "6 1 2, 5 5 5, 1 4 7",
    ]
    .map(String::from)
    .to_vec();
    let scores = t
        .score_texts(&cut, &readings)
        .unwrap()
        .expect("whisper scores texts");
    eprintln!("{scores:?}");
    assert_eq!(scores.len(), readings.len());
    assert!(
        scores.iter().all(|s| s.is_finite() && *s < 0.0),
        "{scores:?}"
    );
    for (reading, score) in readings.iter().zip(&scores).skip(1) {
        assert!(scores[0] > *score, "{reading:?} {score} >= {}", scores[0]);
    }
    // Scored right after a second hearing of the same cut, on the audio
    // that hearing encoded, the readings get exactly the same scores.
    t.hear_digits(&cut).unwrap().expect("a second hearing");
    let again = t.score_texts(&cut, &readings).unwrap().unwrap();
    assert_eq!(scores, again);
    // Each reading scored by itself, with nothing shared, gets the score it
    // got among the others, to rounding: its rows are decoded in other
    // batches, and the attention adds its terms in another order (up to
    // 0.5 % seen).
    for (reading, score) in readings.iter().zip(&scores) {
        let alone = t
            .score_texts(&cut, std::slice::from_ref(reading))
            .unwrap()
            .unwrap();
        assert!(
            (alone[0] - score).abs() < 0.01 * score.abs(),
            "{reading:?}: {} alone, {score} among others",
            alone[0]
        );
    }
}

/// The encoding of the window a number is in is kept aside while the
/// number's audio alone is heard, and given back for weighing readings
/// within the recording (patches/whisper-cpp.cmake, 8): the same scores as
/// before, and no encoder run but the one for the audio alone.
#[test]
fn the_encoding_a_number_is_in_is_kept_while_its_audio_alone_is_heard() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("networking-good-slt-16k.wav");
    let cut = |alone| number_cut(&audio, &number, alone);
    let readings: Vec<String> = ["6 1 2, 5 5 5, 0 1 4 7", "6 1 2, 5 5 5, 0 1 4 4"]
        .map(String::from)
        .to_vec();
    let within = t.score_texts(&cut(false), &readings).unwrap().unwrap();
    assert_eq!(t.number_encodes(), 0, "the first pass's encoding is reused");
    let alone = t.score_texts(&cut(true), &readings).unwrap().unwrap();
    assert_eq!(t.number_encodes(), 1);
    assert_ne!(within, alone);
    let again = t.score_texts(&cut(false), &readings).unwrap().unwrap();
    assert_eq!(within, again);
    assert_eq!(t.number_encodes(), 1, "the kept encoding is given back");
}

/// In a recording heard in pieces, a number is heard again on the encoding
/// the first pass made of the piece it is in: no encoder run, where a
/// transcriber that has not heard the recording encodes a window for it.
#[test]
fn a_number_in_a_piece_is_heard_again_on_the_pieces_encoding() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("long-60s-networking-rambling-rms-8k.wav");
    assert!(audio.duration_s() > 60.0, "heard in pieces");
    let cut = within(&audio, number.start_s - 0.3, number.end_s + 0.6);
    let on_piece = t.hear_digits(&cut).unwrap().expect("a second hearing");
    assert_eq!(t.number_encodes(), 0, "the piece's encoding is reused");
    // A transcriber that has not heard the recording has no piece kept:
    // it encodes a window around the number.
    heard_by_a_fresh_transcriber(&cut);
    let digits: String = on_piece.chars().filter(char::is_ascii_digit).collect();
    assert!(digits.starts_with("206555"), "{on_piece}");
}

/// A number heard again within its recording is heard to its last digit
/// however early the first pass timed its end: the hearing goes on while
/// digits come, not to a cut. (On `networking-good-slt-16k.wav`, the cut
/// given ends one second into "six one two, five five five, oh one four
/// seven".) It runs on the encoding the first pass made.
#[test]
fn a_number_heard_in_context_is_heard_to_its_last_digit_past_an_early_end() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("networking-good-slt-16k.wav");
    let cut = within(&audio, number.start_s - 0.3, number.start_s + 1.0);
    let text = t.hear_digits(&cut).unwrap().expect("a second hearing");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(digits.starts_with("6125550147"), "{text:?}");
}

/// On this message tiny.en ends its text at "Please call me back at 833-"
/// and writes nothing of the 9 s of speech after it. The window is heard
/// again from that last word, so the rest of the message comes through:
/// the closing and both sayings of the number.
#[test]
fn a_window_whose_words_stop_while_the_voice_goes_on_is_heard_to_the_end() {
    let json = transcribe_json(&fixture("numbers/stops-short-en-gb-16k.wav"), &[]);
    let words = json["words"].as_array().unwrap();
    let text = json["transcript"].as_str().unwrap().to_lowercase();
    assert!(text.contains("look forward"), "{text}");
    let last = &words[words.len() - 1];
    assert!(last["start_s"].as_f64().unwrap() > 12.0, "{last}");
    let groups = digits_of(&text);
    assert!(groups.matches("833").count() >= 2, "{text}");
    assert!(
        !text.contains("833-"),
        "the word cut short is dropped: {text}"
    );
}

/// When the first pass heard a window's text stop short and heard the
/// rest again on a new encoding (above), a number in the window is heard
/// again on the window's first encoding, kept aside: no encoder run (about
/// a second on one thread), and the hearing a transcriber that encodes the
/// window anew makes.
#[test]
fn a_number_in_a_window_heard_again_past_a_stop_is_heard_on_its_first_encoding() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("numbers/stops-short-en-gb-16k.wav");
    let cut = within(&audio, number.start_s - 0.3, number.end_s + 0.6);
    let kept = t.hear_digits(&cut).unwrap().expect("a second hearing");
    assert_eq!(t.number_encodes(), 0, "the first encoding is given back");
    assert_eq!(kept, heard_by_a_fresh_transcriber(&cut));
}

/// `cut` heard within its recording by a transcriber that has not heard
/// the recording: it encodes a window for it, once.
fn heard_by_a_fresh_transcriber(cut: &vmcoach::transcribe::Cut) -> String {
    use vmcoach::transcribe::Transcriber;
    let mut fresh = vmcoach::transcribe::whisper::WhisperTranscriber::load(
        &model(),
        vmcoach::transcribe::whisper::WhisperOptions::default(),
    )
    .unwrap();
    let text = fresh.hear_digits(cut).unwrap().expect("a second hearing");
    assert_eq!(fresh.number_encodes(), 1);
    text
}

/// What a cut heard alone (a beam search) writes depends on the cut only,
/// not on what the transcriber heard before (whisper.cpp's random
/// generators, patches/whisper-cpp.cmake 17; the kept encodings; the
/// cache's cells): the live engine and the saved file's analysis hear the
/// same cut on states with different pasts, and must agree.
#[test]
fn a_number_heard_alone_does_not_depend_on_what_was_heard_before() {
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("application-bad-generic-rms-16k.wav");
    let stretch = |from_s: f64| vmcoach::transcribe::Cut {
        recording: &audio,
        from_s,
        to_s: from_s + 4.0,
        lead: "",
        alone: true,
    };
    let cuts = [
        number_cut(&audio, &number, true),
        stretch(1.0),
        stretch(4.0),
        stretch(7.0),
    ];
    let fresh: Vec<String> = cuts.iter().map(heard_by_a_fresh_transcriber).collect();
    assert!(digits_of(&fresh[0]).len() >= 7, "{fresh:?}");
    // The same cuts heard one after the other on one transcriber, twice.
    for _ in 0..2 {
        let heard: Vec<String> = cuts
            .iter()
            .map(|c| t.hear_digits(c).unwrap().expect("a second hearing"))
            .collect();
        assert_eq!(fresh, heard);
    }
}

#[test]
fn a_hearing_again_that_stops_short_too_is_heard_again_from_further_on() {
    // The rest heard from before "304-" came back as "TWO", stretched over
    // the last 2 s: without another hearing, nothing after 7 s of 23.5 s.
    let json = transcribe_json(&fixture("numbers/stops-twice-en-gb-16k.wav"), &[]);
    let text = json["transcript"].as_str().unwrap().to_lowercase();
    assert!(text.contains("experience in this field"), "{text}");
    assert!(text.contains("my number is"), "{text}");
    assert!(digits_of(&text).contains("5500"), "{text}");
}

/// The stretch from `from_s` to `to_s` of `recording`, heard within it,
/// with no lead.
fn within(
    recording: &vmcoach::audio::Mono16k,
    from_s: f64,
    to_s: f64,
) -> vmcoach::transcribe::Cut<'_> {
    vmcoach::transcribe::Cut {
        recording,
        from_s,
        to_s,
        lead: "",
        alone: false,
    }
}

/// A fixture heard by the real model, the transcriber that heard it, and
/// the first phone number in its transcript.
/// The stretch of `audio` the number pass hears `number` on: from just
/// before it to 0.6 s after, alone or within the recording.
fn number_cut<'a>(
    audio: &'a vmcoach::audio::Mono16k,
    number: &vmcoach::analysis::phone::PhoneNumber,
    alone: bool,
) -> vmcoach::transcribe::Cut<'a> {
    vmcoach::transcribe::Cut {
        recording: audio,
        from_s: number.start_s - 0.3,
        to_s: number.end_s + 0.6,
        lead: "",
        alone,
    }
}

fn first_number_of(
    name: &str,
) -> (
    vmcoach::audio::Mono16k,
    vmcoach::transcribe::whisper::WhisperTranscriber,
    vmcoach::analysis::phone::PhoneNumber,
) {
    use vmcoach::transcribe::whisper::{WhisperOptions, WhisperTranscriber};
    use vmcoach::transcribe::Transcriber;
    let audio = vmcoach::audio::load(&fixture(name), 600.0).unwrap();
    let audio = vmcoach::audio::resample::to_16k(&audio).unwrap();
    let mut t = WhisperTranscriber::load(&model(), WhisperOptions::default()).unwrap();
    let words = t.transcribe(&audio).unwrap().words;
    let number = vmcoach::analysis::phone::find_phone_numbers(&words).remove(0);
    (audio, t, number)
}

/// A stopped transcriber gives up a number's hearing and weighing too,
/// not only whole hearings (patches/whisper-cpp.cmake, 7): at the end of
/// a take, the live worker's number pass is thrown away at once rather
/// than finished while the report waits. Let go again, the transcriber
/// hears the number as before.
#[test]
fn a_stopped_transcriber_gives_up_a_numbers_hearing_and_weighing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use vmcoach::transcribe::Transcriber;
    let (audio, mut t, number) = first_number_of("networking-good-slt-16k.wav");
    let stop = Arc::new(AtomicBool::new(false));
    t.set_abort(Arc::clone(&stop));
    let cut = |alone| number_cut(&audio, &number, alone);
    let readings = vec!["6 1 2, 5 5 5, 0 1 4 7".to_string()];
    let heard = t.hear_digits(&cut(false)).unwrap().expect("a hearing");
    let weighed = t.score_texts(&cut(false), &readings).unwrap().unwrap();
    stop.store(true, Ordering::SeqCst);
    assert!(t.hear_digits(&cut(false)).is_err(), "heard within, stopped");
    assert!(
        t.score_texts(&cut(false), &readings).is_err(),
        "weighed, stopped"
    );
    assert!(t.hear_digits(&cut(true)).is_err(), "heard alone, stopped");
    assert!(
        t.score_texts(&cut(true), &readings).is_err(),
        "weighed alone, stopped"
    );
    stop.store(false, Ordering::SeqCst);
    assert_eq!(t.hear_digits(&cut(false)).unwrap(), Some(heard));
    assert_eq!(
        t.score_texts(&cut(false), &readings).unwrap(),
        Some(weighed)
    );
}

/// A take's end stops the live worker's hearing at once, even inside the
/// encoder (patches/whisper-cpp.cmake, 7; whisper.cpp itself checks only
/// once an encoder pass is over): with the abort flag set 50 ms into a
/// hearing of 3 s of speech on one thread, it fails well before a whole
/// hearing of the same audio would be done, which is mostly the encoder.
#[test]
fn an_abort_stops_a_hearing_inside_the_encoder() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use vmcoach::transcribe::whisper::{WhisperOptions, WhisperTranscriber};
    use vmcoach::transcribe::Transcriber;
    let audio = vmcoach::audio::load(&fixture("networking-good-slt-16k.wav"), 600.0).unwrap();
    let audio = vmcoach::audio::resample::to_16k(&audio)
        .unwrap()
        .between(0.0, 3.0);
    let stop = Arc::new(AtomicBool::new(false));
    let options = WhisperOptions {
        threads: 1,
        abort: Some(Arc::clone(&stop)),
        ..WhisperOptions::default()
    };
    let mut t = WhisperTranscriber::load(&model(), options).unwrap();
    let started = Instant::now();
    assert!(!t.transcribe(&audio).unwrap().words.is_empty());
    let whole = started.elapsed();
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let started = Instant::now();
    let stopped = t.transcribe(&audio);
    let took = started.elapsed();
    setter.join().unwrap();
    assert!(stopped.is_err(), "an aborted hearing must fail");
    assert!(
        took < whole / 3,
        "stopped after {took:?}; a whole hearing took {whole:?}"
    );
}
