//! A fast Huffman-only deflate block (RFC 1951, 3.2.7) for chunks that look random, such as base64 of
//! compressed images: there is nothing for a match finder to find, so each byte is coded with one
//! table built for the whole chunk. Written out here because a general deflater spends most of its time
//! on bookkeeping this case does not need: about 3× faster than level 6 for 0.5 % more bytes, and 5-7×
//! faster than zlib-rs's own Huffman-only strategy (`Z_HUFFMAN_ONLY`) for 0.06 % fewer bytes, on the
//! 10k corpus (`bench/huffman_ab.rs`, results in `bench/README.md`).
//!
//! The output ends with a sync flush (an empty stored block), exactly like a chunk deflated by zlib with
//! `SyncFlush`, so it can be concatenated with other chunks into one deflate stream.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The longest code deflate allows for literals, and for the code lengths' own code.
const MAX_BITS: u8 = 15;
const MAX_CL_BITS: u8 = 7;
/// Literal/length symbols written: the 256 byte values and the end of block.
const LITERALS: usize = 257;
const END_OF_BLOCK: usize = 256;
/// The order in which the code lengths' code lengths are written (RFC 1951, 3.2.7).
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// `data` as one dynamic-Huffman block of literals followed by a sync flush; `counts` is how many
/// times each byte value occurs in `data`.
pub fn encode(data: &[u8], counts: &[u64; 256]) -> Vec<u8> {
    let mut freqs = [0u64; LITERALS];
    freqs[..256].copy_from_slice(counts);
    freqs[END_OF_BLOCK] = 1;
    let lit_lengths = lengths(&freqs, MAX_BITS);
    let lit_codes = codes(&lit_lengths);
    // Never used, but a block must describe a distance code: two codes of one bit, as zlib writes.
    let dist_lengths = [1u8, 1];

    let data_bits: u64 = (0..256)
        .map(|b| counts[b] * u64::from(lit_lengths[b]))
        .sum();
    // The header takes well under 512 bytes (at most 19 × 3 + 259 × 14 bits, and 17 more).
    let mut w = Bits::with_capacity(512 + (data_bits / 8) as usize);
    w.put(0, 1); // not the final block
    w.put(2, 2); // dynamic Huffman codes
    write_code_lengths(&mut w, &lit_lengths, &dist_lengths);
    let mut table = [(0u64, 0u32); 256];
    for (b, entry) in table.iter_mut().enumerate() {
        *entry = (u64::from(lit_codes[b]), u32::from(lit_lengths[b]));
    }
    w.put_bytes(data, &table);
    w.put(
        u64::from(lit_codes[END_OF_BLOCK]),
        u32::from(lit_lengths[END_OF_BLOCK]),
    );
    // Sync flush: an empty stored block, then byte alignment and its LEN/NLEN.
    w.put(0, 3);
    let mut out = w.finish();
    out.extend_from_slice(&[0x00, 0x00, 0xff, 0xff]);
    out
}

/// Writes HLIT, HDIST, HCLEN, the code lengths' code, then both sets of code lengths with runs of
/// zeros shortened (symbols 17 and 18).
fn write_code_lengths(w: &mut Bits, lit: &[u8], dist: &[u8]) {
    let all: Vec<u8> = lit.iter().chain(dist).copied().collect();
    // (symbol, extra bits value, extra bits count)
    let mut items: Vec<(usize, u64, u32)> = Vec::with_capacity(all.len());
    let mut i = 0;
    while i < all.len() {
        let run = all[i..].iter().take_while(|&&l| l == all[i]).count();
        if all[i] == 0 && run >= 11 {
            let n = run.min(138);
            items.push((18, (n - 11) as u64, 7));
            i += n;
        } else if all[i] == 0 && run >= 3 {
            items.push((17, (run - 3) as u64, 3));
            i += run;
        } else {
            items.push((usize::from(all[i]), 0, 0));
            i += 1;
        }
    }
    let mut cl_freqs = [0u64; 19];
    for &(symbol, _, _) in &items {
        cl_freqs[symbol] += 1;
    }
    let cl_lengths = lengths(&cl_freqs, MAX_CL_BITS);
    let cl_codes = codes(&cl_lengths);
    let hclen = CL_ORDER
        .iter()
        .rposition(|&s| cl_lengths[s] != 0)
        .map_or(4, |p| (p + 1).max(4));
    w.put((lit.len() - 257) as u64, 5);
    w.put((dist.len() - 1) as u64, 5);
    w.put((hclen - 4) as u64, 4);
    for &s in &CL_ORDER[..hclen] {
        w.put(u64::from(cl_lengths[s]), 3);
    }
    for (symbol, extra, extra_bits) in items {
        w.put(u64::from(cl_codes[symbol]), u32::from(cl_lengths[symbol]));
        w.put(extra, extra_bits);
    }
}

/// Huffman code lengths for `freqs`, none longer than `limit`; unused symbols get 0. At least two
/// symbols get a code (a one-symbol code is incomplete, which some decoders refuse), so an unused one
/// may be given a code. Deterministic: ties are broken by symbol order.
fn lengths(freqs: &[u64], limit: u8) -> Vec<u8> {
    let mut freqs = freqs.to_vec();
    for phantom in 0..freqs.len() {
        if freqs.iter().filter(|&&f| f > 0).count() >= 2 {
            break;
        }
        if freqs[phantom] == 0 {
            freqs[phantom] = 1;
        }
    }
    loop {
        let lengths = huffman_lengths(&freqs);
        if lengths.iter().all(|&l| l <= limit) {
            return lengths;
        }
        // Too deep: flatten the frequencies and try again (each pass halves the spread; equal
        // frequencies give a balanced tree, within the limit for the alphabets used here).
        for f in freqs.iter_mut().filter(|f| **f > 0) {
            *f = (*f >> 1).max(1);
        }
    }
}

/// Optimal (unlimited) Huffman code lengths of the symbols with a non-zero frequency.
fn huffman_lengths(freqs: &[u64]) -> Vec<u8> {
    let mut parent: Vec<usize> = vec![usize::MAX; freqs.len()];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = freqs
        .iter()
        .enumerate()
        .filter(|(_, &f)| f > 0)
        .map(|(s, &f)| Reverse((f, s)))
        .collect();
    while heap.len() > 1 {
        let (Some(Reverse((fa, a))), Some(Reverse((fb, b)))) = (heap.pop(), heap.pop()) else {
            break;
        };
        let node = parent.len();
        parent.push(usize::MAX);
        parent[a] = node;
        parent[b] = node;
        heap.push(Reverse((fa + fb, node)));
    }
    (0..freqs.len())
        .map(|s| {
            if freqs[s] == 0 {
                return 0;
            }
            let (mut depth, mut at) = (0u8, s);
            while parent[at] != usize::MAX {
                depth = depth.saturating_add(1);
                at = parent[at];
            }
            depth
        })
        .collect()
}

/// Canonical codes for `lengths` (RFC 1951, 3.2.2), bit-reversed: deflate sends a Huffman code's most
/// significant bit first into a stream that is otherwise filled from the least significant bit.
fn codes(lengths: &[u8]) -> Vec<u16> {
    let mut count = [0u16; 16];
    for &l in lengths {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

/// A little-endian bit writer into a buffer sized beforehand: whole bytes of the bit buffer are stored
/// eight at a time, the bytes beyond the last whole one being overwritten by the next store.
struct Bits {
    out: Vec<u8>,
    pos: usize,
    buf: u64,
    len: u32,
}

impl Bits {
    /// A writer for at most `capacity` bytes.
    fn with_capacity(capacity: usize) -> Bits {
        Bits {
            out: vec![0; capacity + 8],
            pos: 0,
            buf: 0,
            len: 0,
        }
    }

    /// Appends the `n` low bits of `bits` (`n` ≤ 32).
    #[inline]
    fn put(&mut self, bits: u64, n: u32) {
        self.buf |= bits << self.len;
        self.len += n;
        if self.len >= 32 {
            self.flush();
        }
    }

    /// Stores the bit buffer and drops its whole bytes from it: fewer than 8 bits are left.
    #[inline]
    fn flush(&mut self) {
        self.out[self.pos..self.pos + 8].copy_from_slice(&self.buf.to_le_bytes());
        let bytes = self.len >> 3;
        self.pos += bytes as usize;
        // At most 63 bits are buffered, so fewer than 8 bytes are dropped and the shift is in range.
        self.buf >>= bytes * 8;
        self.len &= 7;
    }

    /// Appends the code `table[b]` of each byte `b` of `data`, codes of at most 15 bits: three codes
    /// (at most 45 bits, on top of fewer than 8) between stores, without a branch per code.
    fn put_bytes(&mut self, data: &[u8], table: &[(u64, u32); 256]) {
        self.flush();
        let mut triples = data.chunks_exact(3);
        for t in &mut triples {
            for &b in t {
                let (code, n) = table[usize::from(b)];
                self.buf |= code << self.len;
                self.len += n;
            }
            self.flush();
        }
        for &b in triples.remainder() {
            let (code, n) = table[usize::from(b)];
            self.put(code, n);
        }
    }

    /// The bytes written, the last one padded with zero bits.
    fn finish(mut self) -> Vec<u8> {
        self.flush();
        let end = self.pos + usize::from(self.len > 0);
        self.out.truncate(end);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::archive::tests::noise;
    use std::io::Read;

    fn inflate(compressed: &[u8]) -> Vec<u8> {
        // A chunk is a stream that is not final: close it as the archive does.
        let mut stream = compressed.to_vec();
        stream.extend_from_slice(&[0x03, 0x00]);
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..])
            .read_to_end(&mut out)
            .expect("valid deflate");
        out
    }

    fn counts(data: &[u8]) -> [u64; 256] {
        crate::package::archive::byte_counts(data)
    }

    fn round_trip(data: &[u8]) -> Vec<u8> {
        let compressed = encode(data, &counts(data));
        assert!(
            compressed.ends_with(&[0x00, 0x00, 0xff, 0xff]),
            "sync flush"
        );
        assert_eq!(inflate(&compressed), data);
        compressed
    }

    #[test]
    fn base64_is_coded_in_six_bits_a_byte() {
        let data = noise(1 << 20, 7);
        let compressed = round_trip(&data);
        let ratio = compressed.len() as f64 / data.len() as f64;
        assert!((0.75..0.76).contains(&ratio), "ratio {ratio}");
    }

    #[test]
    fn any_bytes_round_trip() {
        let all: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        round_trip(&all);
        round_trip(b"");
        round_trip(b"a");
        round_trip(&[0u8; 100_000]);
        round_trip(b"<p>d\xc3\xa9but</p>");
        let mut mixed = noise(300_000, 3);
        mixed.extend((0..=255u8).cycle().take(1000));
        round_trip(&mixed);
    }

    #[test]
    fn skewed_frequencies_stay_within_fifteen_bits() {
        // Fibonacci-like counts would give codes far longer than 15 bits without the limit.
        let mut data = Vec::new();
        let (mut a, mut b) = (1usize, 1usize);
        for symbol in 0..30u8 {
            data.extend(std::iter::repeat_n(symbol, a));
            (a, b) = (b, (a + b).min(200_000));
        }
        let freqs: Vec<u64> = counts(&data).to_vec();
        assert!(
            huffman_lengths(&freqs).iter().any(|&l| l > MAX_BITS),
            "the limit is needed"
        );
        let l = lengths(&freqs, MAX_BITS);
        assert!(l.iter().all(|&l| l <= MAX_BITS));
        // Kraft: the code is complete.
        let kraft: f64 = l
            .iter()
            .filter(|&&l| l > 0)
            .map(|&l| 0.5f64.powi(i32::from(l)))
            .sum();
        assert!((kraft - 1.0).abs() < 1e-9, "kraft {kraft}");
        round_trip(&data);
    }

    #[test]
    fn one_symbol_still_gets_a_complete_code() {
        let mut freqs = [0u64; 19];
        freqs[8] = 259;
        let l = lengths(&freqs, MAX_CL_BITS);
        assert_eq!(l.iter().filter(|&&l| l == 1).count(), 2);
    }
}
