//! The HTML report: one self-contained page per message ([`render`]), and
//! an index page for a batch ([`render_index`]). Everything is inline (CSS,
//! SVG, the recording as a data URI, a few lines of script for the player
//! and the table), so a page opens offline in any browser and never loads
//! anything from anywhere.
//!
//! A page shows the headline, the fixes that matter most, a timeline picture
//! (the level envelope, the speech, pauses, the words at their times, the
//! phone number, a marker for each part of the message and the window the
//! number belongs in), every check with its evidence and advice, the
//! transcript with fillers and numbers marked, and the delivery numbers.
//! Clicking a word, or the time of a piece of evidence, plays the recording
//! from there. Like the other renderers this only draws what it is given;
//! every piece of text from the transcript or a file name is escaped.

mod assets;
mod extras;
mod index;
mod markup;
mod page;
mod timeline;
mod voice;

pub use extras::{Extras, Recording, TakePoint};
pub use index::{render_index, IndexEntry};
pub use markup::{escape, is_own_page, GENERATOR};
pub use page::render;
