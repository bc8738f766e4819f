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

#[test]
fn more_than_65535_members_make_a_zip64_archive() {
    // Empty members: nothing to compress, only the records that count them.
    let files: Vec<(String, Vec<u8>)> = (0..70_000)
        .map(|i| (format!("m{i:05}.txt"), Vec::new()))
        .chain([("z.txt".to_string(), b"last".to_vec())])
        .collect();
    let bytes = zip(&files, 1_763_800_000).unwrap();
    let mut archive = zip::ZipArchive::new(io::Cursor::new(&bytes)).unwrap();
    assert_eq!(archive.len(), 70_001);
    assert_eq!(archive.by_index(12_345).unwrap().name(), "m12345.txt");
    let mut last = String::new();
    archive
        .by_name("z.txt")
        .unwrap()
        .read_to_string(&mut last)
        .unwrap();
    assert_eq!(last, "last");
}

#[test]
fn small_archives_have_no_zip64_record() {
    let bytes = zip(&[("a.txt".to_string(), b"a".to_vec())], 1_763_800_000).unwrap();
    let zip64_end = 0x0606_4b50u32.to_le_bytes();
    assert!(!bytes.windows(4).any(|w| w == zip64_end));
    // Version needed 2.0, no extra field, end record 22 bytes.
    assert_eq!(bytes[4..6], 20u16.to_le_bytes());
    assert_eq!(bytes[28..30], [0, 0]);
    assert_eq!(bytes[bytes.len() - 22..][..4], 0x0605_4b50u32.to_le_bytes());
}

#[test]
fn members_past_4_gib_in_the_file_get_zip64_offsets() {
    // The archive starts 5 GiB into a sparse file: every offset, and the directory's, is past 4 GiB.
    let start = 5 << 30;
    let sink = MemorySink::new();
    let records = [
        sink.write("a.txt", b"first").unwrap(),
        sink.write("b.txt", b"second").unwrap(),
    ];
    let mut bytes = Vec::new();
    write_at(
        &sink,
        &records,
        1_763_800_000,
        None,
        &mut bytes,
        &|| (),
        start,
    )
    .unwrap();
    let mut file = tempfile::tempfile().unwrap();
    file.seek(SeekFrom::Start(start)).unwrap();
    file.write_all(&bytes).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    archive
        .by_name("b.txt")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "second");
    assert_eq!(archive.by_name("a.txt").unwrap().header_start(), start);
}

#[test]
fn a_member_over_4_gib_gets_zip64_sizes() {
    // Writing 5 GiB through the compressor would take minutes: the records of such a member are put
    // around an empty deflate stream, and a zip reader reads the sizes back.
    let size = 5u64 << 30;
    let time = dos_time(1_763_800_000);
    let sizes = Sizes {
        crc: 0x1234_5678,
        compressed: FINAL_BLOCK.len() as u64,
        size,
        zip64: size >= ZIP64_MEMBER,
    };
    let mut bytes = local_header("big.html", time, true).unwrap();
    bytes.extend_from_slice(&FINAL_BLOCK);
    let descriptor = sizes.descriptor().unwrap();
    assert_eq!(descriptor.len(), 24, "8-byte sizes");
    bytes.extend_from_slice(&descriptor);
    let directory_at = bytes.len() as u64;
    bytes.extend_from_slice(&central_entry("big.html", time, &sizes, 0).unwrap());
    let directory_len = bytes.len() as u64 - directory_at;
    bytes.extend_from_slice(&end_records(1, directory_at, directory_len));
    let mut archive = zip::ZipArchive::new(io::Cursor::new(&bytes)).unwrap();
    let member = archive.by_index(0).unwrap();
    assert_eq!(member.name(), "big.html");
    assert_eq!(member.size(), size);
    assert_eq!(member.compressed_size(), 2);
    assert_eq!(member.crc32(), 0x1234_5678);
}

#[test]
fn one_crc_for_chunks_and_members() {
    // A member's CRC-32 is its chunks' combined: the same as the whole file's.
    let big = mixed(11);
    let bytes = zip(&[("big.html".to_string(), big.clone())], 1_763_800_000).unwrap();
    let mut archive = zip::ZipArchive::new(io::Cursor::new(&bytes)).unwrap();
    assert_eq!(archive.by_index(0).unwrap().crc32(), crc32fast::hash(&big));
}
