//! The benchmark harness (`bench/run.sh`, issue 6) at smoke size, with this build's binary: corpus
//! generation, build, floor, `cp -r`, Hugo, the one-edit rebuild, the viewer in Chromium and the
//! author's save in `lifeboat serve` must all keep working. Timings are recorded, never asserted.
//! Outside CI, a missing Hugo or Chromium only drops that part (the harness notes it); with `CI` set,
//! both must be there.

use std::path::Path;
use std::process::Command;

#[test]
fn the_benchmark_harness_runs_at_smoke_size() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let base = work.path().join("bench");
    let run = Command::new("bash")
        .arg(repo.join("bench/run.sh"))
        .arg("--smoke")
        .env("BENCH_BIN", env!("CARGO_BIN_EXE_lifeboat"))
        .env("BENCH_WORK", &base)
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "bench/run.sh --smoke failed:\n{stderr}"
    );
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(table.contains("| nodes |"), "{table}");

    let json = base
        .with_file_name("bench-smoke")
        .join("results-smoke.json");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let sizes = results["sizes"].as_array().unwrap();
    assert_eq!(sizes.len(), 2, "{results}");
    for size in sizes {
        assert!(size["build"]["median_s"].as_f64().unwrap() > 0.0, "{size}");
        assert!(size["build"]["max_rss_kb"].as_u64().unwrap() > 0, "{size}");
        let output = size["output"]["total"].as_u64().unwrap();
        let floor = size["floor"]["floor_bytes"].as_f64().unwrap();
        assert!(output > 0 && floor > 0.0, "{size}");
    }
    assert!(results["rebuild"]["median_s"].as_f64().unwrap() > 0.0);
    if std::env::var_os("CI").is_some() {
        assert!(
            sizes
                .iter()
                .all(|s| s["hugo"]["median_s"].as_f64().is_some()),
            "Hugo must be measured in CI: {results}"
        );
        let first = results["browser"]["first_node_ms"].as_f64();
        assert!(
            first.is_some_and(|ms| ms > 0.0),
            "Chromium must be measured in CI: {results}"
        );
        let saves = results["serve"].as_array().map_or(0, |s| {
            s.iter()
                .filter(|s| s["to_dom_ms"]["median"].as_f64().is_some_and(|ms| ms > 0.0))
                .count()
        });
        assert_eq!(
            saves,
            sizes.len(),
            "the author's save in `serve` must be measured at every size in CI: {results}"
        );
        // The slow desk PC (issue 19): Chromium at 1x and 4x, and the first view in the other engines.
        for rate in ["1x", "4x"] {
            let desk = &results["desk"]["rates"][rate];
            for key in ["view_ms", "search_ready_ms"] {
                assert!(
                    desk[key].as_f64().is_some_and(|ms| ms > 0.0),
                    "the desk PC's {key} at {rate} must be measured in CI: {results}"
                );
            }
            assert!(desk["keystroke_ms"]["p95"].as_f64().is_some(), "{results}");
        }
        for engine in ["firefox", "webkit"] {
            let painted = results["firstview"]["engines"][engine]["median"]["painted"].as_f64();
            assert!(
                painted.is_some_and(|ms| ms > 0.0),
                "the first view in {engine} must be measured in CI: {results}"
            );
        }
        assert!(table.contains("## The viewer on a slow desk PC"), "{table}");
        assert!(
            table.contains("## Builds against their own floor"),
            "{table}"
        );
    }
}
