//! Real-browser tests of the viewer: builds `content/`, `tests/fixtures/browser-site/` and the other
//! fixtures the suites use (xss, locked-site, call-site, call-nolog, desk-en, key-groups) with the real binary, then runs `node --test tests/browser/` (playwright-core driving /usr/bin/chromium on file://,
//! puppeteer-core driving /usr/bin/firefox-esr for `firefox.test.js`, and selenium-webdriver driving
//! WebKitWebDriver and WebKitGTK's MiniBrowser for `webkit.test.js`, under `xvfb-run`).
//!
//! Needs Node.js, the node packages of tests/browser (`npm ci --prefix tests/browser`, which .ci/run runs), Chromium, Firefox, WebKitWebDriver with MiniBrowser,
//! and xvfb-run (with xauth). Without them the test prints "SKIPPED" and passes (without Firefox or WebKit
//! only that suite is skipped), except when `CI` is set: then it fails.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SOURCE_DATE_EPOCH: &str = "1763800000";

/// Test-only access keys for tests/fixtures/locked-site (made with `lifeboat key new`; they open nothing
/// else). The first builds `LIFEBOAT_LOCKED_DIST`, the second the rotated copy.
const LOCKED_KEY: &str = "QNTN6-7SMQW-QXER1-4VSNH-SF871-SS";
const ROTATED_KEY: &str = "3SA7T-GN1HE-6B4Y7-PRHP8-2HD58-0K";

/// Test-only keys of tests/fixtures/key-groups (made with `lifeboat key new`): one per group, the
/// recovery key, and facturation's new key for the rotated copy.
const GROUP_KEYS: &[(&str, &str)] = &[
    ("facturation", "Y8S5M-VRV4Y-23E1G-RZNJX-6YZHN-H8"),
    ("fraude", "7680Z-9Y8WM-V02XH-E8W6K-ASJA4-Q7"),
    ("direction", "W7N8P-T3DCK-P2127-0P2HV-RAEND-0D"),
    ("recovery", "QRQX8-3NJTR-HJB01-Q23Y1-05XMR-FN"),
    ("facturation_new", "D01RK-SFHJM-5XB18-0NESM-29KKG-A8"),
];

fn group_key(name: &str) -> &'static str {
    GROUP_KEYS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
        .unwrap_or_default()
}

/// Builds tests/fixtures/key-groups with each group's key in LIFEBOAT_KEY_<GROUP> (facturation's
/// `facturation` one) and the recovery key in LIFEBOAT_RECOVERY_KEY.
fn build_key_groups(content: &Path, out: &Path, facturation: &str) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lifeboat"));
    cmd.arg("build")
        .arg(content)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env_remove("LIFEBOAT_ACCESS_KEY")
        .env("LIFEBOAT_KEY_FACTURATION", group_key(facturation))
        .env("LIFEBOAT_KEY_FRAUDE", group_key("fraude"))
        .env("LIFEBOAT_KEY_DIRECTION", group_key("direction"))
        .env("LIFEBOAT_RECOVERY_KEY", group_key("recovery"));
    let output = cmd.output().expect("run lifeboat");
    assert!(
        output.status.success(),
        "lifeboat build {} failed:\n{}",
        content.display(),
        text(&output)
    );
}

/// GROUP_KEYS as the JSON object LIFEBOAT_KEYGROUPS_KEYS holds.
fn group_keys_json() -> String {
    let pairs: Vec<String> = GROUP_KEYS
        .iter()
        .map(|(n, k)| format!("\"{n}\":\"{k}\""))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> PathBuf {
    env::var_os("LIFEBOAT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Firefox for `firefox.test.js` (puppeteer-core over WebDriver BiDi): `$LIFEBOAT_FIREFOX` or Debian's
/// firefox-esr.
fn firefox() -> PathBuf {
    env::var_os("LIFEBOAT_FIREFOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/firefox-esr"))
}

/// WebKitWebDriver for `webkit.test.js`: `$LIFEBOAT_WEBKIT_DRIVER` or Debian's (webkit2gtk-driver).
fn webkit_driver() -> PathBuf {
    env::var_os("LIFEBOAT_WEBKIT_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"))
}

/// The browser WebKitWebDriver starts: `$LIFEBOAT_MINIBROWSER` or the MiniBrowser of Debian's
/// libwebkit2gtk-4.1-0, the WebKitGTK build the driver comes from (the GTK 4 one, of libwebkitgtk-6.0-4,
/// refuses every simulated click and key under this driver).
fn minibrowser() -> PathBuf {
    env::var_os("LIFEBOAT_MINIBROWSER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"))
}

/// `name` in a folder of `PATH`.
fn in_path(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Skips (outside CI) or fails (in CI) because a tool is missing.
fn missing(what: &str) {
    if env::var_os("CI").is_some() {
        panic!("browser tests cannot run in CI: {what}");
    }
    eprintln!();
    eprintln!("==================================================================");
    eprintln!("SKIPPED: browser tests not run: {what}");
    eprintln!("==================================================================");
    eprintln!();
}

fn tool_works(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn build(content: &Path, out: &Path) {
    build_with_key(content, out, None);
}

/// Builds with `LIFEBOAT_ACCESS_KEY` set to `key` (or unset).
fn build_with_key(content: &Path, out: &Path, key: Option<&str>) {
    build_against(content, out, key, None, SOURCE_DATE_EPOCH);
}

/// Builds at snapshot time `epoch`, compared with the bundle `previous` when given.
fn build_against(
    content: &Path,
    out: &Path,
    key: Option<&str>,
    previous: Option<&Path>,
    epoch: &str,
) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lifeboat"));
    cmd.arg("build")
        .arg(content)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", epoch)
        .env_remove("LIFEBOAT_ACCESS_KEY");
    if let Some(previous) = previous {
        cmd.arg("--previous").arg(previous);
    }
    if let Some(key) = key {
        cmd.env("LIFEBOAT_ACCESS_KEY", key);
    }
    let output = cmd.output().expect("run lifeboat");
    assert!(
        output.status.success(),
        "lifeboat build {} failed:\n{}",
        content.display(),
        text(&output)
    );
    let html = std::fs::read_dir(out)
        .expect("read output folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert!(
        html > 0,
        "lifeboat build {} wrote no HTML file",
        content.display()
    );
}

#[test]
fn viewer_works_in_a_real_browser() {
    let repo = repo();
    let suite = repo.join("tests").join("browser");

    if !tool_works("node") {
        return missing("`node` was not found (install Node.js 20 or later)");
    }
    if !chromium().exists() {
        return missing(&format!(
            "no Chromium at {} (apt-get install chromium)",
            chromium().display()
        ));
    }
    // Firefox is optional outside CI (its suite is skipped without it), required in CI.
    let firefox = firefox();
    if !firefox.exists() {
        if env::var_os("CI").is_some() {
            panic!(
                "browser tests cannot run in CI: no Firefox at {} (apt-get install firefox-esr)",
                firefox.display()
            );
        }
        eprintln!(
            "note: no Firefox at {}: the Firefox suite is skipped (apt-get install firefox-esr)",
            firefox.display()
        );
    }
    // WebKit too: the driver, its MiniBrowser and a display (xvfb-run, which needs xauth).
    let webkit_driver = webkit_driver();
    let minibrowser = minibrowser();
    let xvfb_run = in_path("xvfb-run");
    let webkit_missing = if !webkit_driver.exists() {
        Some(format!(
            "no WebKitWebDriver at {} (apt-get install webkit2gtk-driver)",
            webkit_driver.display()
        ))
    } else if !minibrowser.exists() {
        Some(format!(
            "no MiniBrowser at {} (apt-get install libwebkit2gtk-4.1-0)",
            minibrowser.display()
        ))
    } else if xvfb_run.is_none() || in_path("xauth").is_none() {
        Some("no xvfb-run or xauth in PATH (apt-get install xvfb xauth)".to_string())
    } else {
        None
    };
    if let Some(what) = &webkit_missing {
        if env::var_os("CI").is_some() {
            panic!("browser tests cannot run in CI: {what}");
        }
        eprintln!();
        eprintln!("==================================================================");
        eprintln!("SKIPPED: the WebKit suite is not run: {what}");
        eprintln!("==================================================================");
        eprintln!();
    }
    let installed = [
        "playwright-core",
        "axe-core",
        "pngjs",
        "pixelmatch",
        "puppeteer-core",
        "selenium-webdriver",
    ]
    .iter()
    .all(|p| suite.join("node_modules").join(p).exists());
    // The test installs nothing: .ci/run runs `npm ci` first (the packages are pinned in package-lock.json).
    if !installed {
        return missing(
            "the node packages of tests/browser are not installed: run `npm ci --prefix tests/browser` (.ci/run does)",
        );
    }

    let temp = tempfile::tempdir().expect("temporary folder");
    let dist = temp.path().join("dist");
    let fixture_dist = temp.path().join("fixture-dist");
    let content = repo.join("content");
    assert!(
        content.join("site.toml").exists(),
        "the example content is missing: {}",
        content.display()
    );
    build(&content, &dist);
    build(
        &repo.join("tests").join("fixtures").join("browser-site"),
        &fixture_dist,
    );
    let xss_dist = temp.path().join("xss-dist");
    build(&repo.join("tests").join("fixtures").join("xss"), &xss_dist);
    let locked = repo.join("tests").join("fixtures").join("locked-site");
    let locked_dist = temp.path().join("locked-dist");
    let rotated_dist = temp.path().join("locked-rotated-dist");
    build_with_key(&locked, &locked_dist, Some(LOCKED_KEY));
    build_with_key(&locked, &rotated_dist, Some(ROTATED_KEY));
    // The call assistant (call.test.js): a site with fields, a log and a locked entry point (key A),
    // and one with the log turned off.
    let call_dist = temp.path().join("call-dist");
    build_with_key(
        &repo.join("tests").join("fixtures").join("call-site"),
        &call_dist,
        Some(LOCKED_KEY),
    );
    // The desk trial (desk.test.js): an English card desk with long steps, branding and a locked entry
    // point (key A).
    let desk_dist = temp.path().join("desk-dist");
    build_with_key(
        &repo.join("tests").join("fixtures").join("desk-en"),
        &desk_dist,
        Some(LOCKED_KEY),
    );
    // Key groups and the recovery key (keygroups.test.js, keyslots.test.js, and the Firefox and WebKit
    // suites), and the same rebuilt with a new facturation key.
    let groups = repo.join("tests").join("fixtures").join("key-groups");
    let groups_dist = temp.path().join("keygroups-dist");
    let groups_rotated_dist = temp.path().join("keygroups-rotated-dist");
    build_key_groups(&groups, &groups_dist, "facturation");
    build_key_groups(&groups, &groups_rotated_dist, "facturation_new");
    // What changed in this copy (changes.test.js): `before`, then `after` compared with it (a week
    // later), both locked with key A.
    let changes = repo.join("tests").join("fixtures").join("changes");
    let changes_before = temp.path().join("changes-before-dist");
    let changes_dist = temp.path().join("changes-dist");
    build_with_key(&changes.join("before"), &changes_before, Some(LOCKED_KEY));
    build_against(
        &changes.join("after"),
        &changes_dist,
        Some(LOCKED_KEY),
        Some(&changes_before),
        "1764400000",
    );
    let call_nolog_dist = temp.path().join("call-nolog-dist");
    build(
        &repo.join("tests").join("fixtures").join("call-nolog"),
        &call_nolog_dist,
    );

    // With WebKit, the whole run goes under xvfb-run (a throwaway X server for MiniBrowser's window;
    // Chromium and Firefox stay headless); without it, webkit.test.js skips itself, saying why.
    let mut node = match (&webkit_missing, &xvfb_run) {
        (None, Some(xvfb_run)) => {
            let mut c = Command::new(xvfb_run);
            c.args([
                "--auto-servernum",
                "--server-args=-screen 0 1280x1024x24",
                "node",
            ]);
            c
        }
        _ => Command::new("node"),
    };
    // webkit.test.js checks the driver and MiniBrowser itself, and the display: without xvfb-run there is
    // none (not the caller's either), so it skips itself with the reason given above.
    node.env("LIFEBOAT_WEBKIT_DRIVER", &webkit_driver)
        .env("LIFEBOAT_MINIBROWSER", &minibrowser);
    if webkit_missing.is_some() {
        node.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    }
    if firefox.exists() {
        node.env("LIFEBOAT_FIREFOX", &firefox);
    } else {
        node.env_remove("LIFEBOAT_FIREFOX");
    }
    // LIFEBOAT_BROWSER_ONLY=changes,desk runs just those suites (while working on them; CI runs all).
    let suites: Vec<String> = match env::var("LIFEBOAT_BROWSER_ONLY") {
        Ok(only) if env::var_os("CI").is_none() => only
            .split(',')
            .map(|s| format!("tests/browser/{}.test.js", s.trim()))
            .collect(),
        _ => vec!["tests/browser/".to_string()],
    };
    let output = node
        .args(["--test", "--test-timeout=300000"])
        .args(&suites)
        .current_dir(&repo)
        .env("LIFEBOAT_DIST", &dist)
        .env("LIFEBOAT_FIXTURE_DIST", &fixture_dist)
        .env("LIFEBOAT_XSS_DIST", &xss_dist)
        .env("LIFEBOAT_LOCKED_DIST", &locked_dist)
        .env("LIFEBOAT_LOCKED_ROTATED_DIST", &rotated_dist)
        .env("LIFEBOAT_CALL_DIST", &call_dist)
        .env("LIFEBOAT_CALL_NOLOG_DIST", &call_nolog_dist)
        .env("LIFEBOAT_DESK_DIST", &desk_dist)
        .env("LIFEBOAT_CHANGES_DIST", &changes_dist)
        .env("LIFEBOAT_CHANGES_BEFORE_DIST", &changes_before)
        .env("LIFEBOAT_LOCKED_KEY", LOCKED_KEY)
        .env("LIFEBOAT_LOCKED_ROTATED_KEY", ROTATED_KEY)
        .env("LIFEBOAT_KEYGROUPS_DIST", &groups_dist)
        .env("LIFEBOAT_KEYGROUPS_ROTATED_DIST", &groups_rotated_dist)
        .env("LIFEBOAT_KEYGROUPS_KEYS", group_keys_json())
        .env("LIFEBOAT_CHROMIUM", chromium())
        // The binary itself: serve.test.js starts `lifeboat serve`, call.test.js runs `lifeboat calls
        // merge` over the browser's exports (that test fails without it in CI), notice.test.js (and the
        // Firefox and WebKit suites) run `lifeboat notice` on a copy of the example.
        .env("LIFEBOAT_BIN", env!("CARGO_BIN_EXE_lifeboat"))
        .output()
        .expect("run node --test");
    let report = text(&output);
    println!("{report}");
    assert!(output.status.success(), "browser tests failed:\n{report}");
    // In CI every suite must have run: a suite that skips itself (a variable not passed, a browser not
    // found) would otherwise pass unseen.
    // (Node 20 counts a skipped `describe` in no total, but marks it `# SKIP`.)
    if env::var_os("CI").is_some() {
        assert!(
            report.contains("\n# skipped 0\n") && !report.contains("# SKIP"),
            "browser tests skipped some suites in CI:\n{report}"
        );
    }
}
