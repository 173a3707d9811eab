//! What the number pass heard of each number besides the first pass,
//! carried on the number it belongs to.

/// A stretch of audio decoded again, and what the decoder wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Hearing {
    /// Where the stretch starts: the number's first word, or earlier.
    /// Every stretch ends where the number ends.
    pub from_s: f64,
    pub text: String,
}

/// The number pass's hearings of number `number` of the first pass (its
/// index in [`super::find_phone_numbers`]'s list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hearings {
    pub number: usize,
    /// The number's own stretch, decoded again for digits.
    pub again: Option<Hearing>,
    /// The number heard within the recording, on the first pass's
    /// encoding, when that did not confirm the first pass and `again` is
    /// the stretch heard alone (see `pipeline::numbers`): another hearing,
    /// made otherwise.
    pub in_context: Option<Hearing>,
    /// A 7-digit number heard again from the seconds before it, for an
    /// area code the first pass wrote as words.
    pub wider: Option<Hearing>,
    /// The reading of [`RECOUNT_DIGITS`] digits chosen by a recount (see
    /// [`super::recount`]): the best guess when the hearings had counts no
    /// phone number has, or disagreed.
    pub recount: Option<Hearing>,
    /// How much more likely the recount's reading was than the next best
    /// (the difference of their log-probabilities), when it was scored
    /// against others.
    pub recount_margin: Option<f64>,
    /// When that margin was too small to settle it: the best readings
    /// weighed again on the encoding of the window the number is in, after
    /// the words said before it (not on its audio alone), and how much more
    /// likely the recount's reading was there than the best of the others
    /// (negative: another was more likely).
    pub recount_within_margin: Option<f64>,
}

/// The count a recount reaches: a US number with its area code.
pub const RECOUNT_DIGITS: usize = 10;
