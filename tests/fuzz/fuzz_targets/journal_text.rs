//! Any bytes as a journal (see `checks::journal_text`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::journal_text(data));
