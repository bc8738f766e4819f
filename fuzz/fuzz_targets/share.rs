//! A hostile bundle folder or share: the input is a manifest, journal, staged manifest, share manifest
//! or signature file (its first byte picks which), written beside a small valid signed bundle; then
//! `verify`, the signature check and `publish` run on it. No panic, and nothing outside the scratch
//! folder is touched. The harness is `lifeboat::harness`, which `cargo test --test fuzz_smoke` also
//! runs over fuzz/seeds/share/ and mutations of them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lifeboat::harness::run(data);
});
