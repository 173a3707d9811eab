//! Phone numbers in a transcript, in every form whisper writes them.
//!
//! Whisper writes a phone number as "612-555-1234.", "(612) 555-1234",
//! "612, 555, 1234", "six one two five five five ...", "double five",
//! "sixty six seventy seven", "five hundred fifty five" or any mix, split
//! across words in any way. Finding them takes four passes:
//!
//! 1. **lex** ([`lex`]): each word becomes pieces: runs of written digits, words,
//!    `+`, a fused extension marker (`x22`), or a whole word that is never
//!    part of a phone number (`$50,000`, `15%`, `3:30`, `3rd`, `401k`).
//!    Between pieces we keep how strongly they are separated (same word,
//!    space, comma, sentence end) and the pause.
//! 2. **tokens**: number words are read into numbers ([`numwords`]), and
//!    numbers that are quantities rather than digits are marked (see
//!    `mark_not_phone`): years, percentages, money, times, counts, dates.
//! 3. **runs**: a number is a maximal run of number tokens with nothing but
//!    punctuation, fillers ("um") and pauses under [`HARD_PAUSE_S`] between
//!    them; digits simply concatenate ("555-12-34" is "5551234"). A run too
//!    long for one number is split where it reads as two (see `split_run`).
//! 4. **classify**: a run of 7 or more digits is a phone number. A run of 4
//!    to 6 digits is reported only after a number cue ("my number is",
//!    "call me at") — a broken-off number that the analysis should flag.
//!    Shorter runs are never reported.
//!
//! A number's span (`start_s`, `end_s`, `word_range`, `text`) covers its
//! digits, from "plus" when a country code is said that way. The cue ("area
//! code", "my number is") and the extension are not part of the span; the
//! extension's digits are in [`PhoneNumber::extension`].
//!
//! Beside finding: [`compare`] holds a said number against the expected
//! one, [`format`] writes numbers for people, [`doubt`] judges whether the
//! digits may be wrong given what the number pass heard again
//! ([`hearings`]), and [`recount`] makes the readings of a full number
//! that the model chooses between.

mod compare;
mod cues;
mod doubt;
mod find;
mod format;
mod hearings;
mod lex;
mod number;
mod quantities;
mod recount;
mod runs;
#[cfg(test)]
mod testing;
mod tokens;

pub use compare::{compare_number, NumberMatch};
pub use doubt::{agrees, confirms, judge, SURE_RECOUNT_MARGIN, SURE_WITHIN_MARGIN};
pub use find::find_phone_numbers;
pub use format::format_digits;
pub(crate) use format::only_digits;
pub use hearings::{Hearing, Hearings, RECOUNT_DIGITS};
pub use number::{PhoneNumber, HARD_PAUSE_S, MIN_CUED_DIGITS, MIN_DIGITS};
pub use recount::{recount, Recount};
