#![no_main]
//! The `phone` target: see inputs.rs.

#[path = "../inputs.rs"]
mod inputs;

libfuzzer_sys::fuzz_target!(|data: &[u8]| inputs::phone(data));
