//! An encoding kept aside and given back: a number's readings are weighed
//! on the encoding of the window the number is in after its audio alone
//! has been encoded in the same state (see [`super::again`]). Copying the
//! encoder's output (its cross-attention cache, 9.4 MB for tiny.en) takes
//! milliseconds; encoding the window again takes a second.
//!
//! whisper.cpp has no way to reach a state's cache, nor whisper-rs to a
//! state's pointer: patches/whisper-cpp.cmake (8) adds both.

use whisper_rs::whisper_rs_sys::whisper_state;

use super::again::Window;

extern "C" {
    /// The state the last encode on this thread ran on, or null; cleared
    /// by the call.
    fn vmcoach_whisper_last_state() -> *mut whisper_state;
    fn vmcoach_whisper_cross_bytes(state: *mut whisper_state) -> usize;
    /// Copies the cache into `dst` (`vmcoach_whisper_cross_bytes` long)
    /// and returns the window's size in encoder frames (0: a whole one).
    fn vmcoach_whisper_cross_get(state: *mut whisper_state, dst: *mut u8) -> i32;
    fn vmcoach_whisper_cross_set(state: *mut whisper_state, src: *const u8, n_audio_ctx: i32);
}

/// whisper.cpp's pointer to the decoder state a transcriber owns, learnt
/// from an encode run on it (see [`encoded_on`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct RawState(*mut whisper_state);

// SAFETY: the pointer is to the state the transcriber owns and moves with
// it; it is used only while that state lives, from the thread using it.
unsafe impl Send for RawState {}

impl RawState {
    /// The state whisper.cpp hands a callback.
    ///
    /// # Safety
    /// `state` is a state that lives while the result is used.
    pub unsafe fn of_callback(state: *mut whisper_state) -> RawState {
        RawState(state)
    }
}

/// Runs `encode`, which encodes on a state of this thread, and returns
/// what it returned with that state's pointer (None when it did not get
/// as far as encoding).
pub(super) fn encoded_on<T>(encode: impl FnOnce() -> T) -> (T, Option<RawState>) {
    // SAFETY: reads and clears a thread-local pointer; nothing is
    // dereferenced.
    unsafe { vmcoach_whisper_last_state() };
    let out = encode();
    let raw = unsafe { vmcoach_whisper_last_state() };
    (out, (!raw.is_null()).then_some(RawState(raw)))
}

/// The encoding of one window, copied out of a state.
#[derive(Debug)]
pub(super) struct Kept {
    pub window: Window,
    bytes: Vec<u8>,
    n_audio_ctx: i32,
}

impl Kept {
    /// Copies the encoding of `window` out of `state`.
    ///
    /// # Safety
    /// `state` is the pointer of a state that lives and holds the encoding
    /// of `window`.
    pub unsafe fn copy(state: RawState, window: Window, reuse: Option<Kept>) -> Kept {
        let size = vmcoach_whisper_cross_bytes(state.0);
        let mut bytes = reuse.map(|k| k.bytes).unwrap_or_default();
        bytes.resize(size, 0);
        let n_audio_ctx = vmcoach_whisper_cross_get(state.0, bytes.as_mut_ptr());
        Kept {
            window,
            bytes,
            n_audio_ctx,
        }
    }

    /// Puts the encoding back into `state`, which then holds `self.window`;
    /// false (and nothing done) when its cache is not the size copied.
    ///
    /// # Safety
    /// `state` is the pointer of a state that lives.
    pub unsafe fn give_back(&self, state: RawState) -> bool {
        if self.bytes.len() != vmcoach_whisper_cross_bytes(state.0) {
            return false;
        }
        vmcoach_whisper_cross_set(state.0, self.bytes.as_ptr(), self.n_audio_ctx);
        true
    }
}
