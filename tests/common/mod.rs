//! Helpers shared by the integration tests: run the real binary, copy fixtures, read output folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Snapshot time used by every test build (2025-11-22).
pub const EPOCH: &str = "1763800000";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What a user reads: both streams and the exit code.
    pub fn transcript(&self) -> String {
        format!(
            "exit code: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `lifeboat ARGS` in `dir` with a fixed snapshot time and no colour.
pub fn lifeboat(dir: &Path, args: &[&str]) -> Run {
    lifeboat_env(dir, args, &[])
}

pub fn lifeboat_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lifeboat"));
    cmd.args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run lifeboat");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "lifeboat panicked:\n{}",
        run.transcript()
    );
    run
}

pub fn copy_dir(from: &Path, to: &Path) {
    for item in walkdir::WalkDir::new(from) {
        let item = item.unwrap();
        let target = to.join(item.path().strip_prefix(from).unwrap());
        if item.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// Every file of a folder, by relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The JSON of the `<script>` element with id `id`, if any: plain (as `#lb-data` is), or packed
/// (zlib, then base64) as `#lb-nodes` and `#lb-more` of an open entry point are.
pub fn script_json(html: &str, id: &str) -> Option<serde_json::Value> {
    let text = script_text(html, id)?;
    if text.starts_with('{') {
        return Some(serde_json::from_str(text).expect("script element holds JSON"));
    }
    Some(serde_json::from_str(&unpack(text)).expect("packed script element holds JSON"))
}

/// The text of the `<script>` element with id `id`, as it is in the file.
pub fn script_text<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let element = html
        .find(&format!("id={id}>"))
        .or_else(|| html.find(&format!("id={id} ")))
        .or_else(|| html.find(&format!("id=\"{id}\"")))?;
    let start = element + html[element..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</script>").unwrap();
    Some(&html[start..end])
}

/// The file as a reader of its text sees it: `#lb-data`, `#lb-nodes` and `#lb-more` unpacked in
/// place, and each sibling's segment of `#lb-bundle` (space-separated) too.
pub fn unpacked(html: &str) -> String {
    let mut out = html.to_string();
    for id in ["lb-data", "lb-nodes", "lb-more"] {
        if let Some(text) = script_text(&out, id).filter(|t| !t.starts_with('{')) {
            let (text, json) = (text.to_string(), unpack(text));
            out = out.replacen(&text, &json, 1);
        }
    }
    if let Some(text) = script_text(&out, "lb-bundle") {
        let (text, json) = (text.to_string(), siblings(text).join(" "));
        out = out.replacen(&text, &json, 1);
    }
    out
}

/// The JSON texts of the segments of a `#lb-bundle` element's text, one per sibling entry point.
pub fn siblings(text: &str) -> Vec<String> {
    text.split(' ')
        .filter(|t| !t.is_empty())
        .map(unpack)
        .collect()
}

/// The entry points whose segment `#lb-bundle` of this file holds, in order (none: no element).
pub fn indexed_siblings(html: &str) -> Vec<String> {
    script_text(html, "lb-bundle")
        .map(siblings)
        .unwrap_or_default()
        .iter()
        .map(|json| {
            let segment: serde_json::Value = serde_json::from_str(json).expect("segment is JSON");
            segment[0]
                .as_str()
                .expect("segment starts with its entry id")
                .to_string()
        })
        .collect()
}

/// A packed payload's JSON text (what the viewer's `lbUnpack` does).
pub fn unpack(packed: &str) -> String {
    use base64::Engine;
    use std::io::Read;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .expect("packed payload is base64");
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(&bytes[..])
        .read_to_string(&mut json)
        .expect("packed payload inflates to text");
    json
}

/// The JSON payload of a built entry point file (`#lb-data`), with what an open entry point keeps
/// after the viewer script merged back in, as the viewer does: `#lb-nodes` (each diagram's nodes) and
/// `#lb-more` (each node's `search`, each diagram's `map`).
pub fn payload(html: &str) -> serde_json::Value {
    let mut data = script_json(html, "lb-data").expect("payload element");
    if let Some(nodes) = script_json(html, "lb-nodes") {
        let diagrams = data["diagrams"].as_array_mut().expect("diagrams");
        for (i, d) in diagrams.iter_mut().enumerate() {
            d["nodes"] = nodes["nodes"][i].clone();
        }
        data.as_object_mut().unwrap().remove("nodes_later");
    }
    if let Some(more) = script_json(html, "lb-more") {
        let diagrams = data["diagrams"].as_array_mut().expect("diagrams");
        for (i, d) in diagrams.iter_mut().enumerate() {
            if !more["map"][i].is_null() {
                d["map"] = more["map"][i].clone();
            }
            for (j, n) in d["nodes"].as_array_mut().unwrap().iter_mut().enumerate() {
                n["search"] = more["search"][i][j].clone();
            }
        }
    }
    data
}
