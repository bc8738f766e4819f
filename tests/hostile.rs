//! Hostile input: huge, deep or odd content folders, generated at test time. Every run of the real binary
//! must end with exit code 0 or 1 (never a signal, a panic or a hang), within a memory cap, and a refused
//! input must be named with the limit it broke. See docs/hostile-input.md for the limits and the sizes
//! measured with the release binary; the debug test run uses smaller sizes of the same shape.

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sizes below are scaled by this in debug builds, so the file runs in well under a minute.
const SCALE: usize = if cfg!(debug_assertions) { 10 } else { 1 };

/// A run that takes longer than this is a hang.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Address-space cap for the binary: an input that needs more is an out-of-memory failure.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

struct Run {
    code: i32,
    stderr: String,
    stdout: String,
}

/// Runs `lifeboat ARGS` under a memory cap and a time limit; fails on a signal, a panic or a hang.
fn lifeboat(args: &[&str]) -> Run {
    // LIFEBOAT_HOSTILE_TIME=1 measures each run with GNU time (for docs/hostile-input.md).
    let measure = std::env::var_os("LIFEBOAT_HOSTILE_TIME").is_some();
    let time = if measure {
        "/usr/bin/time -f 'LIFEBOAT_TIME %e s, %M KiB max RSS' "
    } else {
        ""
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec {time}\"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_lifeboat"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1763800000")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lifeboat");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        stdout.read_to_end(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        stderr.read_to_end(&mut s).ok();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().ok();
            panic!("lifeboat {args:?} did not finish in {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    };
    if let Some(line) = run.stderr.lines().find(|l| l.starts_with("LIFEBOAT_TIME")) {
        let test = std::thread::current().name().unwrap_or("").to_string();
        eprintln!("{test}: lifeboat {}: {}", args[0], &line[14..]);
    }
    let tail: String = {
        let chars: Vec<char> = run.stderr.chars().collect();
        chars[chars.len().saturating_sub(3000)..].iter().collect()
    };
    assert!(
        run.code == 0 || run.code == 1,
        "lifeboat {args:?} ended with {status:?} after {:?}\n--- stderr (end)\n{tail}",
        started.elapsed()
    );
    assert!(
        !run.stderr.contains("panicked"),
        "lifeboat {args:?} panicked:\n{tail}"
    );
    run
}

/// Runs `check` then `build` on `dir`; returns both runs.
fn check_and_build(dir: &Path) -> (Run, Run) {
    let content = dir.to_str().unwrap();
    let out = dir.parent().unwrap().join("out");
    let check = lifeboat(&["check", content]);
    let build = lifeboat(&["build", content, "--out", out.to_str().unwrap()]);
    assert_eq!(
        check.code, build.code,
        "check and build disagree\n--- check\n{}\n--- build\n{}",
        check.stderr, build.stderr
    );
    (check, build)
}

const SITE: &str = r#"name = "Hostile"
language = "en"
online_url = "https://app.example.com"
environment = "main"

[backup]
frequency_days = 30
owner = { name = "Ada" }
locations = ["/mnt/share"]

[environments.main]
phone = "555-0100"
"#;

/// A content folder with site.toml and one entry point `e` whose start diagram `d` has `body` after its
/// front matter.
fn site_with_diagram(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fs::create_dir_all(content.join("e")).unwrap();
    fs::write(content.join("site.toml"), SITE).unwrap();
    fs::write(
        content.join("e/entry.toml"),
        "title = \"E\"\nstart = \"d\"\n",
    )
    .unwrap();
    let mut text = String::with_capacity(body.len() + 64);
    text.push_str("+++\ntitle = \"D\"\n+++\n\n");
    text.push_str(body);
    fs::write(content.join("e/d.md"), text).unwrap();
    (tmp, content)
}

#[test]
fn large_diagram_is_built() {
    // 50 MB at full size: one node of ordinary paragraphs.
    let target = 50 * 1024 * 1024 / SCALE;
    let mut body = String::with_capacity(target + 1024);
    body.push_str("## Start\n\n");
    let paragraph =
        "The customer reads the lights aloud; note each one, *slowly*, and `check` it.\n\n";
    while body.len() < target {
        body.push_str(paragraph);
    }
    let (_tmp, content) = site_with_diagram(&body);
    let (_, build) = check_and_build(&content);
    assert_eq!(build.code, 0, "{}", build.stderr);
}

#[test]
fn text_file_over_the_limit_is_refused_by_name() {
    let (_tmp, content) = site_with_diagram("## Start\n");
    // Sparse: the size check happens before anything is read.
    let big = content.join("e/huge.md");
    fs::File::create(&big)
        .unwrap()
        .set_len(lifeboat::content::MAX_TEXT_BYTES + 1)
        .unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(
        check.stderr.contains("huge.md") && check.stderr.contains("64 MiB limit"),
        "{}",
        check.stderr
    );
}

#[test]
fn deeply_nested_lists_and_blockquotes_end_cleanly() {
    let depth = 10_000;
    for (name, marker) in [("lists", "- "), ("quotes", "> "), ("ordered", "1. ")] {
        let body = format!("## Start\n\n{}deep\n", marker.repeat(depth));
        let (_tmp, content) = site_with_diagram(&body);
        let (check, _) = check_and_build(&content);
        if check.code == 1 {
            assert!(
                check.stderr.contains("d.md:") && check.stderr.contains("nested"),
                "{name}: {}",
                check.stderr
            );
        }
    }
}

#[test]
fn many_nodes_in_one_diagram() {
    // 100,000 nodes at full size, each answering the next (a long chain the reachability walk follows).
    let nodes = 100_000 / SCALE;
    let mut body = String::new();
    for i in 0..nodes {
        let next = (i + 1) % nodes;
        writeln!(
            body,
            "## Step {i} {{#n{i}}}\n\nDo step {i}.\n\n- [Next](#n{next})\n- [Back](#n0)\n"
        )
        .unwrap();
    }
    let (_tmp, content) = site_with_diagram(&body);
    let (check, build) = check_and_build(&content);
    if check.code == 1 {
        assert!(check.stderr.contains("d.md"), "{}", check.stderr);
        assert!(check.stderr.contains("limit"), "{}", check.stderr);
    } else {
        assert!(
            build.stdout.contains(&format!("{nodes} nodes")),
            "{}",
            build.stdout
        );
    }
}

#[test]
fn image_over_the_limit_is_refused_by_name() {
    let (_tmp, content) = site_with_diagram("## Start\n\n![big](big.png)\n");
    let big = content.join("e/big.png");
    let mut file = fs::File::create(&big).unwrap();
    std::io::Write::write_all(&mut file, b"\x89PNG\r\n\x1a\n").unwrap();
    // 100 MB, sparse.
    file.set_len(100 * 1024 * 1024).unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(
        check.stderr.contains("big.png")
            && check.stderr.contains("64 MiB limit")
            && check.stderr.contains("d.md:7:"),
        "{}",
        check.stderr
    );
}

#[test]
fn many_entry_points() {
    // 10,000 entry points at full size.
    let count = 10_000 / SCALE;
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fs::create_dir_all(&content).unwrap();
    fs::write(content.join("site.toml"), SITE).unwrap();
    for i in 0..count {
        let dir = content.join(format!("e{i}"));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("entry.toml"), "title = \"E\"\nstart = \"d\"\n").unwrap();
        let other = (i + 1) % count;
        fs::write(
            dir.join("d.md"),
            format!("+++\ntitle = \"D\"\n+++\n## Start\n\nCall {{{{ phone }}}}.\n\n- [Next](../e{other}/d.md)\n"),
        )
        .unwrap();
    }
    let (check, build) = check_and_build(&content);
    if check.code == 1 {
        assert!(check.stderr.contains("limit"), "{}", check.stderr);
    } else {
        assert!(
            build
                .stdout
                .contains(&format!("built {count} entry points")),
            "{}",
            build.stdout
        );
    }
}

#[test]
fn megabyte_heading_and_link() {
    let long = "a".repeat(1024 * 1024);
    let near = format!("{}b", &long[1..]);
    // The link to a missing node whose id is as long as an existing one used to make the "did you mean"
    // search allocate a matrix of a trillion cells.
    let body = format!("## {long}\n\n- [Next](#{near})\n- [Self](#{long})\n");
    let (_tmp, content) = site_with_diagram(&body);
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("has no node"), "{}", check.stderr);
}

#[test]
fn many_variable_uses() {
    // 100,000 `{{ var }}` at full size: known, unknown and malformed.
    let uses = 100_000 / SCALE;
    let mut body = String::from("## Start\n\n");
    for i in 0..uses {
        body.push_str(match i % 50 {
            0 => "{{ nope }} ",
            1 => "{{ two words }} ",
            _ => "{{ phone }} ",
        });
        if i % 10 == 9 {
            body.push('\n');
        }
    }
    let (check, _) = {
        let (_tmp, content) = site_with_diagram(&body);
        check_and_build(&content)
    };
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("unknown variable `nope`"));

    let good = "{{ phone }} ".repeat(uses);
    let (_tmp, content) = site_with_diagram(&format!("## Start\n\n{good}\n"));
    let (_, build) = check_and_build(&content);
    assert_eq!(build.code, 0, "{}", build.stderr);
}

#[test]
fn deeply_nested_toml_is_refused_by_name() {
    let (_tmp, content) = site_with_diagram("## Start\n");
    let depth = 10_000;
    let nested = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    fs::write(
        content.join("e/entry.toml"),
        format!("title = \"E\"\nstart = \"d\"\n{nested}"),
    )
    .unwrap();
    let tables = format!("t = {}{}\n", "{ a = ".repeat(depth), "}".repeat(depth));
    fs::create_dir(content.join("g")).unwrap();
    fs::write(
        content.join("g/entry.toml"),
        "title = \"G\"\nstart = \"f\"\n",
    )
    .unwrap();
    fs::write(
        content.join("g/f.md"),
        format!("+++\ntitle = \"F\"\n{tables}+++\n## Start\n"),
    )
    .unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("entry.toml:3"), "{}", check.stderr);
    assert!(check.stderr.contains("f.md:3"), "{}", check.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_cleanly() {
    use std::os::unix::fs::symlink;
    let (_tmp, content) = site_with_diagram("## Start\n\n![loop](loop.png)\n\n- [Loop](loop.md)\n");
    symlink("loop.md", content.join("e/loop.md")).unwrap();
    symlink("loop.png", content.join("e/loop.png")).unwrap();
    symlink(".", content.join("e/self")).unwrap();
    symlink("..", content.join("up")).unwrap();
    symlink("a", content.join("e/b.md")).unwrap();
    symlink("b.md", content.join("e/a")).unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("loop.png"), "{}", check.stderr);
}

#[test]
fn odd_content_folders() {
    let tmp = tempfile::tempdir().unwrap();
    // The content folder is a file.
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    let run = lifeboat(&["check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);

    // site.toml is a folder.
    let (_tmp, content) = site_with_diagram("## Start\n");
    fs::remove_file(content.join("site.toml")).unwrap();
    fs::create_dir(content.join("site.toml")).unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("site.toml"), "{}", check.stderr);

    // A diagram named `.md`, an entry.toml that is a folder, an empty diagram file name.
    let (_tmp, content) = site_with_diagram("## Start\n");
    fs::write(content.join("e/.md"), "not even front matter").unwrap();
    fs::create_dir_all(content.join("f/entry.toml")).unwrap();
    fs::create_dir_all(content.join("e/dir.md")).unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("f/entry.toml"), "{}", check.stderr);
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, content) = site_with_diagram("## Start\n");
    fs::write(
        content.join("e").join(OsStr::from_bytes(b"bad\xff.md")),
        "+++\ntitle = \"B\"\n+++\n## B\n",
    )
    .unwrap();
    let entry = content.join(OsStr::from_bytes(b"entry\xfe"));
    fs::create_dir(&entry).unwrap();
    fs::write(entry.join("entry.toml"), "title = \"E\"\nstart = \"d\"\n").unwrap();
    let (check, _) = check_and_build(&content);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("bad\u{FFFD}.md"), "{}", check.stderr);
    assert!(check.stderr.contains("entry\u{FFFD}"), "{}", check.stderr);
}
