//! Normalised text for matching. Whisper's words are lowercased, stripped of
//! punctuation and accents, and have their contractions expanded ("I'll" ->
//! "i will"), once, into a token stream in which every token remembers the
//! word it came from, so a match can be reported with that word's times.

use crate::transcribe::Word;

/// One normalised token.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub text: String,
    /// Index of the transcript word this token came from.
    pub word: usize,
    /// The word began with a capital letter (names, places).
    pub cap: bool,
    /// Index of the sentence this token belongs to; sentences end at `.`, `?`, `!`.
    pub sentence: usize,
    /// The word before this one ended in a comma, semicolon, colon or dash.
    pub comma_before: bool,
    /// This token is part of a phone number: the number's index.
    pub phone: Option<usize>,
}

/// The transcript as tokens, fillers ("um", "uh") left out so that
/// "my name is, um, Dana" still reads "my name is dana".
#[derive(Debug, Clone, Default)]
pub struct TokenStream {
    pub toks: Vec<Tok>,
    /// No word in the transcript has a capital letter, so capitals cannot
    /// be used to tell names from ordinary words.
    pub all_lower: bool,
}

impl TokenStream {
    /// `is_filler(word_index)` says which words to leave out; `phone_of`
    /// says which phone number (if any) a word belongs to.
    pub fn build(
        words: &[Word],
        is_filler: impl Fn(usize) -> bool,
        phone_of: impl Fn(usize) -> Option<usize>,
    ) -> TokenStream {
        let mut toks = Vec::new();
        let mut sentence = 0usize;
        let mut prev_end = SentenceEnd::None;
        let mut any_cap = false;
        let capital = |text: &str| {
            text.chars()
                .find(|c| c.is_alphabetic())
                .map(|c| c.is_uppercase())
        };
        // Where the transcript capitalises sentences, a full stop followed
        // by a small letter was a pause the recognizer punctuated ("Carmen
        // Ortiz, you know. Um, said you might ..."), not a sentence's end.
        let capitalised = words.iter().any(|w| capital(&w.text) == Some(true));
        for (i, w) in words.iter().enumerate() {
            let end = sentence_end_of(&w.text);
            if is_filler(i) {
                // A filler can still end a sentence ("... um.").
                prev_end = prev_end.max(end);
                continue;
            }
            let initial = capital(&w.text);
            let cap = initial == Some(true);
            if prev_end == SentenceEnd::Full && capitalised && initial == Some(false) {
                prev_end = SentenceEnd::Comma;
            }
            if prev_end == SentenceEnd::Full && !toks.is_empty() {
                sentence += 1;
            }
            any_cap |= cap;
            let pieces = normalize_word(&w.text);
            // Each piece of a hyphenated word has its own capital
            // ("Quillen-Hale"), or the first piece's ("Jae-won"); a
            // contraction's second piece has none.
            let raw_caps: Vec<bool> = w
                .text
                .split(|c: char| !(c.is_alphanumeric() || c == '\''))
                .filter(|p| !p.is_empty())
                .map(|p| capital(p) == Some(true) || cap)
                .collect();
            let same_pieces = raw_caps.len() == pieces.len();
            for (k, t) in pieces.into_iter().enumerate() {
                toks.push(Tok {
                    text: t,
                    word: i,
                    cap: if same_pieces {
                        raw_caps[k]
                    } else {
                        cap && k == 0
                    },
                    sentence,
                    comma_before: k == 0 && prev_end == SentenceEnd::Comma,
                    phone: phone_of(i),
                });
            }
            prev_end = end;
        }
        TokenStream {
            toks,
            all_lower: !any_cap && !words.is_empty(),
        }
    }

    /// The word index range covered by tokens `range`.
    pub fn word_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if range.is_empty() || range.end > self.toks.len() {
            return 0..0;
        }
        self.toks[range.start].word..self.toks[range.end - 1].word + 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SentenceEnd {
    None,
    Comma,
    Full,
}

/// Titles written with a full stop before a name ("Dr. Evans"): the stop
/// ends no sentence.
const TITLES: &[&str] = &[
    "dr.", "mr.", "mrs.", "ms.", "mx.", "prof.", "st.", "mt.", "fr.",
];

fn sentence_end_of(raw: &str) -> SentenceEnd {
    let t = raw.trim_end_matches(['"', '\'', ')', '”', '’', ' ']);
    if TITLES.iter().any(|title| t.eq_ignore_ascii_case(title)) {
        return SentenceEnd::None;
    }
    match t.chars().last() {
        Some('.' | '?' | '!' | '…') => SentenceEnd::Full,
        Some(',' | ';' | ':' | '-' | '–' | '—') => SentenceEnd::Comma,
        _ => SentenceEnd::None,
    }
}

/// Lowercase, strip accents, split at anything that is not a letter, digit
/// or apostrophe, and expand contractions. "I'll," -> ["i", "will"];
/// "612-555-1234" -> ["612", "555", "1234"]; "résumé" -> ["resume"].
pub fn normalize_word(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    for c in raw.chars() {
        let c = fold_char(c);
        if c.is_alphanumeric() || c == '\'' {
            for l in c.to_lowercase() {
                piece.push(l);
            }
        } else {
            flush(&mut piece, &mut out);
            if c == '%' {
                out.push("percent".to_string());
            }
        }
    }
    flush(&mut piece, &mut out);
    out
}

/// Normalise a whole phrase (used for pattern literals and names).
pub fn normalize_text(text: &str) -> Vec<String> {
    text.split_whitespace().flat_map(normalize_word).collect()
}

/// Contraction pieces a transcriber may hand over as words of their own
/// ("I" + "'ll").
const FRAGMENTS: &[(&str, &str)] = &[
    ("'ll", "will"),
    ("'m", "am"),
    ("'re", "are"),
    ("'ve", "have"),
    ("'d", "would"),
    ("'s", "is"),
    ("n't", "not"),
];

fn flush(piece: &mut String, out: &mut Vec<String>) {
    if let Some((_, full)) = FRAGMENTS.iter().find(|(f, _)| *f == piece.as_str()) {
        out.push(full.to_string());
        piece.clear();
        return;
    }
    let p = piece.trim_matches('\'');
    if !p.is_empty() {
        expand(p, out);
    }
    piece.clear();
}

fn fold_char(c: char) -> char {
    match c {
        '’' | '‘' | 'ʼ' | '`' | '´' => '\'',
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ç' => 'c',
        'Ç' => 'C',
        other => other,
    }
}

/// Whole-word contractions that the suffix rules below would get wrong.
const WHOLE: &[(&str, &[&str])] = &[
    ("won't", &["will", "not"]),
    ("can't", &["can", "not"]),
    ("cannot", &["can", "not"]),
    ("shan't", &["shall", "not"]),
    ("ain't", &["is", "not"]),
    ("let's", &["let", "us"]),
    ("y'all", &["you", "all"]),
    // whisper sometimes drops the apostrophe of "I'm"; "im" is no English word.
    ("im", &["i", "am"]),
    ("ive", &["i", "have"]),
    ("gonna", &["going", "to"]),
    ("wanna", &["want", "to"]),
    ("gotta", &["got", "to"]),
];

/// Words whose "'s" means "is" ("it's", "that's"); elsewhere "'s" is a
/// possessive ("Maria's") and is dropped.
const IS_BEFORE_S: &[&str] = &[
    "it", "that", "there", "here", "what", "who", "where", "he", "she", "how", "name", "this",
    "when", "why",
];

fn expand(p: &str, out: &mut Vec<String>) {
    if let Some((_, exp)) = WHOLE.iter().find(|(w, _)| *w == p) {
        out.extend(exp.iter().map(|s| s.to_string()));
        return;
    }
    let suffixes: &[(&str, &str)] = &[
        ("n't", "not"),
        ("'ll", "will"),
        ("'re", "are"),
        ("'ve", "have"),
        ("'m", "am"),
        ("'d", "would"),
    ];
    for (suf, full) in suffixes {
        if let Some(stem) = p.strip_suffix(suf) {
            if !stem.is_empty() {
                push_plain(stem, out);
                out.push(full.to_string());
                return;
            }
        }
    }
    if let Some(stem) = p.strip_suffix("'s") {
        push_plain(stem, out);
        if IS_BEFORE_S.contains(&stem) {
            out.push("is".to_string());
        }
        return;
    }
    push_plain(p, out);
}

fn push_plain(s: &str, out: &mut Vec<String>) {
    let t: String = s.chars().filter(|c| *c != '\'').collect();
    if !t.is_empty() {
        out.push(t);
    }
}

/// Number words whisper may write instead of digits.
pub const NUMBER_WORDS: &[&str] = &[
    "zero",
    "oh",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "dozen",
    "several",
    "couple",
    "few",
];

/// Ordinals as words or as "3rd".
pub fn is_ordinal(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth",
    ];
    if WORDS.contains(&t) {
        return true;
    }
    let digits = t.trim_end_matches(|c: char| c.is_alphabetic());
    let suffix = &t[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && matches!(suffix, "st" | "nd" | "rd" | "th")
}

/// A cardinal number: digits or a number word.
pub fn is_number(t: &str) -> bool {
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())) || NUMBER_WORDS.contains(&t)
}

/// Value of an ordinal ("third" -> 3, "4th" -> 4).
pub fn ordinal_value(t: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == t) {
        return Some(i as u32 + 1);
    }
    let digits = t.trim_end_matches(|c: char| c.is_alphabetic());
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.to_string(),
                start_s: i as f64,
                end_s: i as f64 + 0.5,
                confidence: 1.0,
            })
            .collect()
    }

    #[test]
    fn contractions_expand_and_possessives_drop() {
        assert_eq!(normalize_word("I'll,"), vec!["i", "will"]);
        assert_eq!(normalize_word("I’m"), vec!["i", "am"]);
        assert_eq!(normalize_word("won't"), vec!["will", "not"]);
        assert_eq!(normalize_word("haven't"), vec!["have", "not"]);
        assert_eq!(normalize_word("It's"), vec!["it", "is"]);
        assert_eq!(normalize_word("Maria's"), vec!["maria"]);
        assert_eq!(normalize_word("I'd"), vec!["i", "would"]);
        assert_eq!(normalize_word(" 'll"), vec!["will"]);
        assert_eq!(normalize_word("n't"), vec!["not"]);
    }

    #[test]
    fn punctuation_accents_and_hyphens_split() {
        assert_eq!(normalize_word("résumé?"), vec!["resume"]);
        assert_eq!(normalize_word("612-555-1234."), vec!["612", "555", "1234"]);
        assert_eq!(normalize_word("follow-up"), vec!["follow", "up"]);
        assert_eq!(normalize_word("40%"), vec!["40", "percent"]);
        assert!(normalize_word("...").is_empty());
    }

    #[test]
    fn stream_skips_fillers_and_tracks_sentences() {
        let words = w(&["Hi.", "My", "name", "is,", "um,", "Dana."]);
        let s = TokenStream::build(&words, |i| i == 4, |_| None);
        let texts: Vec<&str> = s.toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, vec!["hi", "my", "name", "is", "dana"]);
        assert_eq!(s.toks[0].sentence, 0);
        assert_eq!(s.toks[1].sentence, 1);
        assert_eq!(s.toks[4].sentence, 1);
        assert_eq!(s.toks[4].word, 5);
        assert!(s.toks[4].cap);
        assert!(s.toks[4].comma_before);
    }

    #[test]
    fn a_title_before_a_name_ends_no_sentence() {
        let said: Vec<&str> = "Hello Dr. Evans! So Mrs. Kaplan passed on your name."
            .split(' ')
            .collect();
        let s = TokenStream::build(&w(&said), |_| false, |_| None);
        let sentences: Vec<usize> = s.toks.iter().map(|t| t.sentence).collect();
        assert_eq!(sentences, vec![0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn a_full_stop_before_a_small_letter_is_a_pause_not_a_sentence_end() {
        let words = w(&[
            "Carmen", "Ortiz,", "you", "know.", "Um,", "said", "you", "might.",
        ]);
        let s = TokenStream::build(&words, |i| (2..=4).contains(&i), |_| None);
        assert!(s.toks.iter().all(|t| t.sentence == 0));
        assert!(s.toks[2].comma_before, "{:?}", s.toks[2]);
        // A capital after it still starts a new sentence, and a transcript
        // without capitals keeps its full stops.
        let s = TokenStream::build(&w(&["Thanks.", "Bye."]), |_| false, |_| None);
        assert_eq!(s.toks[1].sentence, 1);
        let s = TokenStream::build(&w(&["thanks.", "bye."]), |_| false, |_| None);
        assert_eq!(s.toks[1].sentence, 1);
    }

    #[test]
    fn ordinals_and_numbers_are_recognised() {
        assert!(is_ordinal("third"));
        assert!(is_ordinal("4th"));
        assert!(!is_ordinal("4"));
        assert_eq!(ordinal_value("5th"), Some(5));
        assert!(is_number("seven"));
        assert!(is_number("12"));
        assert!(!is_number("years"));
    }
}
