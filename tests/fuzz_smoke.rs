//! The `share` fuzz target's harness (`lifeboat::harness`, docs/hostile-input.md#fuzzing) in CI's smoke
//! mode: over the committed seeds in fuzz/seeds/share/, the harness's own valid inputs, and a few
//! hundred deterministic pseudo-random mutations of them. No libFuzzer: this is a plain `cargo test`.

use std::fs;

use lifeboat::harness::{self, Slot};

/// xorshift64*: the same mutations on every run and every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Names and values a hostile manifest or journal would try.
const TOKENS: [&str; 14] = [
    "../victim/victim.txt",
    "../../victim",
    "/etc/passwd",
    "..",
    "C:x",
    "archive",
    ".lifeboat-publish",
    "bcp-manifest.toml",
    "\\u0000",
    "format_version = 2\n",
    "9223372036854775807",
    "[[entries]]\nid = \"x\"\n",
    "\"\"\"",
    "staging = \"../../victim/d\"\n",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            3 => {
                // Replace the value after an `=` on some line with a token.
                let token = TOKENS[rng.below(TOKENS.len())];
                if let Some(eq) = data[at..].iter().position(|&b| b == b'=') {
                    let start = at + eq + 1;
                    let end = data[start..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(data.len(), |p| start + p);
                    let quoted = format!(" \"{token}\"");
                    data.splice(start..end, quoted.bytes());
                }
            }
            _ => {
                let byte = rng.next() as u8;
                data.insert(at, byte);
            }
        }
    }
    if !data.is_empty() && rng.below(4) == 0 {
        // Another slot for the same bytes.
        data[0] = rng.next() as u8;
    }
    data
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/share");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| fs::read(p).unwrap()).collect();
    assert!(
        seeds.len() >= 5,
        "fuzz/seeds/share/ holds one seed per slot"
    );
    seeds
}

#[test]
fn the_share_harness_survives_its_seeds_and_their_mutations() {
    // Publish fsyncs every file: in memory (tmpfs) when the machine has one, so the smoke run stays short.
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let mut inputs = seeds();
    inputs.extend(harness::valid_inputs().into_iter().map(|(_, input)| input));
    for input in &inputs {
        harness::run_in(base.path(), input);
    }
    let mut rng = Rng(0x5eed_11fe_b0a7);
    let runs: usize = std::env::var("LIFEBOAT_FUZZ_SMOKE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    for i in 0..runs {
        let seed = &inputs[i % inputs.len()];
        let input = mutate(&mut rng, seed);
        harness::run_in(base.path(), &input);
    }
}

#[test]
fn the_committed_seeds_are_the_harness_valid_inputs_or_were_once() {
    // Each slot has a seed; a seed whose checksums went stale (the theme changed) still parses, so the
    // harness only goes less deep with it: regenerate with LIFEBOAT_WRITE_SEEDS=1.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/share");
    if std::env::var_os("LIFEBOAT_WRITE_SEEDS").is_some() {
        fs::create_dir_all(&dir).unwrap();
        for (slot, input) in harness::valid_inputs() {
            fs::write(dir.join(format!("{slot:?}").to_lowercase()), input).unwrap();
        }
    }
    let slots: Vec<Slot> = seeds().iter().map(|s| Slot::of(s[0])).collect();
    for slot in [
        Slot::BundleManifest,
        Slot::Journal,
        Slot::StagedManifest,
        Slot::ShareManifest,
        Slot::Signature,
    ] {
        assert!(slots.contains(&slot), "no seed for {slot:?}");
    }
}
