#![no_main]
//! `cargo fuzz run notification` — see scripts/fuzz.sh and src/fuzz.rs.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|octets: &[u8]| {
    bonus_ctg::fuzz::notification(octets);
});
