//! A/B of the archive's own Huffman-only deflate encoder (src/package/archive/huffman.rs) against
//! zlib-rs's `Z_HUFFMAN_ONLY` strategy, on the chunks of a built bundle that the archive gives to it
//! (base64 of compressed images: they look random). Issue 17: the own encoder stays only if it wins by
//! 2× or more on the 10k corpus's zip step.
//!
//! ```text
//! python3 bench/gen-corpus.py /tmp/corpus10k --nodes 10000
//! target/release/lifeboat build /tmp/corpus10k --out /tmp/dist10k
//! cargo bench --locked --features test-hooks --bench huffman_ab -- /tmp/dist10k
//! ```
//!
//! Prints, for all such chunks of every `.html` file: bytes in, each encoder's best-of-5 time and
//! output size, and the ratios. Both outputs are inflated back and compared with the input.

use std::io::Read;
use std::time::{Duration, Instant};

use lifeboat::package::archive::ab;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .expect("usage: cargo bench --features test-hooks --bench huffman_ab -- DIST_DIR");
    let mut chunks = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("a bundle folder") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            files += 1;
            chunks.extend(ab::random_chunks(&std::fs::read(&path).unwrap()));
        }
    }
    let bytes: usize = chunks.iter().map(|(c, _)| c.len()).sum();
    assert!(
        bytes > 0,
        "no random-looking chunk in {dir}: build a corpus with images"
    );
    let best = |f: &dyn Fn() -> usize| {
        let mut fastest = Duration::MAX;
        let mut size = 0;
        for _ in 0..5 {
            let started = Instant::now();
            size = f();
            fastest = fastest.min(started.elapsed());
        }
        (fastest, size)
    };
    let (own_time, own_size) = best(&|| chunks.iter().map(|(c, n)| ab::own(c, n).len()).sum());
    let (zlib_time, zlib_size) = best(&|| {
        chunks
            .iter()
            .map(|(c, _)| ab::zlib_huffman_only(c).unwrap().len())
            .sum()
    });
    for (data, counts) in &chunks {
        for (name, out) in [
            ("own", ab::own(data, counts)),
            ("zlib-rs", ab::zlib_huffman_only(data).unwrap()),
        ] {
            // A chunk ends in a sync flush; an empty final block (fixed codes) closes the stream.
            let mut out = out;
            out.extend_from_slice(&[0x03, 0x00]);
            let mut back = Vec::new();
            flate2::read::DeflateDecoder::new(&out[..])
                .read_to_end(&mut back)
                .unwrap();
            assert!(back == *data, "{name}: the output does not inflate back");
        }
    }
    let mib = bytes as f64 / (1 << 20) as f64;
    println!(
        "{} chunks from {files} files, {mib:.1} MiB of random-looking text",
        chunks.len()
    );
    for (name, time, size) in [
        ("own Huffman-only", own_time, own_size),
        ("zlib-rs Z_HUFFMAN_ONLY", zlib_time, zlib_size),
    ] {
        println!(
            "{name:<24} {:>8.1} ms  {:>7.1} MiB/s  {:>11} bytes ({:.4} of input)",
            time.as_secs_f64() * 1e3,
            mib / time.as_secs_f64(),
            size,
            size as f64 / bytes as f64
        );
    }
    println!(
        "time zlib-rs / own: {:.2}x   size own / zlib-rs: {:.4}",
        zlib_time.as_secs_f64() / own_time.as_secs_f64(),
        own_size as f64 / zlib_size as f64
    );
}
