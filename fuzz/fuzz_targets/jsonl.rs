#![no_main]
//! The `jsonl` target: see inputs.rs.

#[path = "../inputs.rs"]
mod inputs;

libfuzzer_sys::fuzz_target!(|data: &[u8]| inputs::jsonl(data));
