#![no_main]
//! The `rules_file` target: see inputs.rs.

#[path = "../inputs.rs"]
mod inputs;

libfuzzer_sys::fuzz_target!(|data: &[u8]| inputs::rules_file(data));
