//! The threads of a call under way, changed from another thread: the live
//! engine's worker hears a take on all cores but one, and when the take
//! ends, a hearing it lets finish goes on with all of them.
//!
//! whisper.cpp takes its thread count once a call; patches/whisper-cpp.cmake
//! (11) makes each of its graphs (the encoder's, every decoder step's) read
//! a count another thread may change as it starts.

use std::sync::atomic::AtomicI32;
use std::sync::Arc;

extern "C" {
    /// Points this thread's graphs at `count` (null: none).
    fn vmcoach_whisper_threads_from(count: *const i32);
}

#[cfg(test)]
extern "C" {
    /// The threads the last graph on this thread ran on.
    fn vmcoach_whisper_threads_used() -> i32;
}

/// This thread's whisper.cpp graphs follow `count` (when above 0) while
/// it lives.
pub(super) struct Following {
    _count: Arc<AtomicI32>,
}

impl Following {
    pub fn new(count: &Arc<AtomicI32>) -> Following {
        let count = Arc::clone(count);
        // SAFETY: the pointer is to an atomic that the guard keeps alive,
        // and it is taken back when the guard goes; whisper.cpp only loads
        // it atomically.
        unsafe { vmcoach_whisper_threads_from(count.as_ptr()) };
        Following { _count: count }
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        // SAFETY: clears a thread-local pointer.
        unsafe { vmcoach_whisper_threads_from(std::ptr::null()) };
    }
}

/// The threads the last graph computed on this thread ran on.
#[cfg(test)]
pub(super) fn used() -> i32 {
    // SAFETY: reads a thread-local integer.
    unsafe { vmcoach_whisper_threads_used() }
}
