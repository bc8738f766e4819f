use super::*;

/// Not very compressible, like base64 images (`seed` not 0).
pub(super) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                [(state % 64) as usize]
        })
        .collect()
}

fn text(len: usize) -> Vec<u8> {
    let phrase =
        "<p>Demandez au client s'il a redémarré la box ; vérifiez le voyant « Internet ».</p>\n";
    phrase.bytes().cycle().take(len).collect()
}

fn mixed(seed: u64) -> Vec<u8> {
    let mut big = text(600_000);
    big.extend(noise(5_000_000, seed));
    big.extend(text(300_000));
    big.extend(noise(3_000_000, seed + 1));
    big
}

#[test]
fn same_input_same_bytes_and_members_sorted() {
    let files = vec![
        ("b.html".to_string(), b"bbb".to_vec()),
        ("a.html".to_string(), b"aaa".to_vec()),
        ("empty.txt".to_string(), Vec::new()),
    ];
    let one = zip(&files, 1_763_800_000).unwrap();
    let two = zip(&files, 1_763_800_000).unwrap();
    assert_eq!(one, two);
    let read_back = read(&one).unwrap();
    let names: Vec<&str> = read_back.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["a.html", "b.html", "empty.txt"]);
    assert_eq!(read_back[2].1, b"");
    // Before 1980 the zip format cannot say: the date is clamped, not an error.
    assert!(read(&zip(&files, 0).unwrap()).is_ok());
}

#[test]
fn large_members_are_chunked_and_read_back_exactly_with_date_and_mode() {
    let big = mixed(0x2545_f491_4f6c_dd1d);
    let files = vec![
        ("big.html".to_string(), big.clone()),
        ("small.txt".to_string(), b"small".to_vec()),
    ];
    let one = zip(&files, 1_763_800_000).unwrap();
    // Base64-like noise keeps about 6 bits of 8, the text far less.
    assert!(
        one.len() < big.len() * 8 / 10,
        "{} of {}",
        one.len(),
        big.len()
    );
    assert_eq!(read(&one).unwrap(), files);
    let mut archive = zip::ZipArchive::new(io::Cursor::new(&one)).unwrap();
    let member = archive.by_name("big.html").unwrap();
    assert_eq!(member.unix_mode().map(|m| m & 0o777), Some(0o644));
    let modified = member.last_modified().unwrap();
    // 2025-11-22 08:26:40 UTC.
    assert_eq!(
        (modified.year(), modified.month(), modified.day()),
        (2025, 11, 22)
    );
    assert_eq!(
        (modified.hour(), modified.minute(), modified.second()),
        (8, 26, 40)
    );
}

#[test]
fn an_edit_reuses_the_other_chunks_and_gives_the_same_bytes_as_a_fresh_archive() {
    let dir = tempfile::tempdir().unwrap();
    let write_to = |big: &[u8], previous: Option<Reuse>| {
        let sink = MemorySink::new();
        let records = [
            sink.write("note.txt", b"note").unwrap(),
            sink.write("big.html", big).unwrap(),
        ];
        let mut out = Vec::new();
        let written = write(&sink, &records, 1_763_800_000, previous, &mut out, &|| ()).unwrap();
        (out, written)
    };
    let big = mixed(7);
    let (first, written) = write_to(&big, None);
    assert!(written.reused.1 > 6, "several chunks: {:?}", written.reused);
    assert_eq!(written.reused.0, 0);
    let path = dir.path().join("old.zip");
    std::fs::write(&path, &first).unwrap();

    // Nothing changed: every member is copied as it was, chunk by chunk, without being read.
    let reuse = Reuse::open(&path, first.len() as u64, &written.index).unwrap();
    let (same, unchanged) = write_to(&big, Some(reuse));
    assert_eq!(same, first);
    assert_eq!(unchanged.reused.0, unchanged.reused.1);
    assert_eq!(unchanged.index, written.index);

    // One sentence inserted in the middle of the text.
    let mut edited = big.clone();
    let at = 5_600_000 + 150_000;
    edited.splice(at..at, b"<p>Nouvelle phrase.</p>".iter().copied());
    let reuse = Reuse::open(&path, first.len() as u64, &written.index).unwrap();
    let (second, again) = write_to(&edited, Some(reuse));
    let (fresh, _) = write_to(&edited, None);
    assert_eq!(
        second, fresh,
        "reusing chunks changes nothing in the output"
    );
    assert!(
        again.reused.0 + 2 >= again.reused.1 && again.reused.0 < again.reused.1,
        "all chunks but the edited ones are reused: {:?}",
        again.reused
    );
    assert_eq!(read(&second).unwrap()[0].1, edited);

    // A chunk damaged since it was written is compressed again, not copied.
    let mut damaged = first.clone();
    let chunk = written.index.members[0]
        .chunks
        .iter()
        .find(|c| {
            again.index.members[0]
                .chunks
                .iter()
                .any(|n| n.sha256 == c.sha256)
        })
        .unwrap();
    damaged[chunk.at as usize + 10] ^= 1;
    std::fs::write(&path, &damaged).unwrap();
    let reuse = Reuse::open(&path, first.len() as u64, &written.index).unwrap();
    let (third, damaged_run) = write_to(&edited, Some(reuse));
    assert_eq!(third, fresh);
    assert_eq!(damaged_run.reused.0 + 1, again.reused.0);
    // Also when the whole member is copied: the damaged chunk is deflated again from the file.
    let reuse = Reuse::open(&path, first.len() as u64, &written.index).unwrap();
    let (fourth, damaged_copy) = write_to(&big, Some(reuse));
    assert_eq!(fourth, first);
    assert_eq!(damaged_copy.reused.0 + 1, damaged_copy.reused.1);
    // One of another size is not used at all.
    std::fs::write(&path, &first[..first.len() - 1]).unwrap();
    assert!(Reuse::open(&path, first.len() as u64, &written.index).is_none());
}

#[test]
fn base64_is_told_apart_from_text() {
    assert!(bits_per_byte(&byte_counts(&noise(1 << 20, 3)), 1 << 20) > RANDOM_BITS);
    assert!(bits_per_byte(&byte_counts(&text(1 << 20)), 1 << 20) < RANDOM_BITS);
    assert_eq!(bits_per_byte(&byte_counts(b""), 0), 0.0);
}

#[test]
fn byte_counts_count_every_byte() {
    for len in [0, 1, 3, 4, 5, 1001] {
        let data: Vec<u8> = noise(len, 9).into_iter().chain([0, 0, 255]).collect();
        let mut naive = [0u64; 256];
        for &b in &data {
            naive[usize::from(b)] += 1;
        }
        assert_eq!(byte_counts(&data), naive, "{len}");
    }
}
