//! Giving up a call under way: the live engine stops its worker when the
//! take ends, and whatever the worker was hearing is thrown away.
//!
//! whisper.cpp's own decoding takes an abort callback among its
//! parameters; the number pass's encodes and decodes, made through calls
//! that take none, watch the one set on their thread
//! (patches/whisper-cpp.cmake, 7).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use whisper_rs::whisper_rs_sys::ggml_abort_callback;

extern "C" {
    /// The abort callback of this thread's calls that are given none
    /// (none: a null callback).
    fn vmcoach_whisper_abort_with(callback: ggml_abort_callback, data: *mut std::ffi::c_void);
}

/// whisper.cpp's abort callback: true once the flag in `user_data` (a
/// [`super::WhisperOptions::abort`]) is set. (whisper-rs's closure variant
/// reads its user data as the wrong type, so the raw one is used.)
///
/// # Safety
/// `user_data` is null or points to a live `AtomicBool`.
pub(super) unsafe extern "C" fn aborted(user_data: *mut std::ffi::c_void) -> bool {
    !user_data.is_null() && (*(user_data as *const AtomicBool)).load(Ordering::SeqCst)
}

/// This thread's calls that are given no abort callback give up once
/// `flag` is set, while the guard lives.
pub(super) struct Watching {
    _flag: Arc<AtomicBool>,
}

impl Watching {
    pub fn new(flag: Option<&Arc<AtomicBool>>) -> Option<Watching> {
        let flag = Arc::clone(flag?);
        // SAFETY: the pointer is to a flag that the guard keeps alive, and
        // it is taken back when the guard goes; the callback only loads it.
        unsafe {
            vmcoach_whisper_abort_with(Some(aborted), Arc::as_ptr(&flag) as *mut std::ffi::c_void)
        };
        Some(Watching { _flag: flag })
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        // SAFETY: clears a thread-local callback.
        unsafe { vmcoach_whisper_abort_with(None, std::ptr::null_mut()) };
    }
}
