//! `lifeboat serve` end to end: the real binary as a child process, spoken to over plain HTTP/1.1.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{copy_dir, fixture, lifeboat, read_tree, unpacked, EPOCH};
use sha2::{Digest, Sha256};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A running `lifeboat serve`, killed when dropped.
struct Serve {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(dir: &Path, content: &str) -> Serve {
        Serve::start_at(dir, content, Some(EPOCH))
    }

    /// With `SOURCE_DATE_EPOCH` set to `epoch`, or unset.
    fn start_at(dir: &Path, content: &str, epoch: Option<&str>) -> Serve {
        Serve::start_with(dir, content, epoch, &[])
    }

    /// With more arguments after the content folder.
    fn start_with(dir: &Path, content: &str, epoch: Option<&str>, extra: &[&str]) -> Serve {
        let port = free_port();
        let log = dir.join(format!("serve-{port}.log"));
        let out = fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_lifeboat"));
        match epoch {
            Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
            None => command.env_remove("SOURCE_DATE_EPOCH"),
        };
        let child = command
            .args(["serve", content, "--port", &port.to_string()])
            .args(extra)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start lifeboat serve");
        let mut serve = Serve { child, port, log };
        serve.wait_until(|s| s["revision"].as_u64().unwrap_or(0) >= 1);
        serve
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails, showing the log, unless the server printed `text`.
    fn assert_logged(&self, text: &str) {
        let log = self.log();
        assert!(log.contains(text), "`{text}` not in the log:\n{log}");
    }

    fn get(&self, path: &str) -> (u16, String) {
        request(self.port, "GET", path)
    }

    fn status(&self) -> serde_json::Value {
        let (code, body) = self.get("/__lifeboat/status");
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).expect("status is JSON")
    }

    /// Polls the status until `done` holds; fails after a minute.
    fn wait_until(&mut self, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let started = Instant::now();
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!("lifeboat serve exited ({exit}):\n{}", self.log());
            }
            if let Some((200, body)) = try_request(self.port, "GET", "/__lifeboat/status") {
                let status: serde_json::Value = serde_json::from_str(&body).unwrap();
                if done(&status) {
                    return status;
                }
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for the server:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn request(port: u16, method: &str, path: &str) -> (u16, String) {
    try_request(port, method, path).unwrap_or_else(|| panic!("no answer to {method} {path}"))
}

/// One HTTP/1.1 exchange; `None` when nothing answers (yet) or the body is not UTF-8.
fn try_request(port: u16, method: &str, path: &str) -> Option<(u16, String)> {
    let (code, body) = try_request_bytes(port, method, path)?;
    Some((code, String::from_utf8(body).ok()?))
}

/// One HTTP/1.1 exchange, the body as bytes; `None` when nothing answers (yet).
fn try_request_bytes(port: u16, method: &str, path: &str) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(TIMEOUT)).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let code = head.split(' ').nth(1)?.parse().ok()?;
    let body = &raw[split + 4..];
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Some((code, body))
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[eol + 2..eol + 2 + size]);
        body = &body[eol + 2 + size + 2..];
    }
    out
}

/// The hook element of a served page: its whole text and its script.
fn hook_of(served: &str) -> (String, String) {
    let start = served
        .find("<script data-lifeboat-serve")
        .expect("served page has the hook");
    let end = start + served[start..].find("</script>").unwrap() + "</script>".len();
    let element = served[start..end].to_string();
    let script =
        element[element.find('>').unwrap() + 1..element.len() - "</script>".len()].to_string();
    (element, script)
}

/// The CSP `<meta>` of a page, and its policy with character references decoded.
fn policy_of(html: &str) -> (String, String) {
    let at = html
        .find("Content-Security-Policy")
        .expect("page has a policy");
    let start = html[..at].rfind("<meta").unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    let tag = html[start..end].to_string();
    let value_start = tag.find("content=\"").unwrap() + "content=\"".len();
    let value_end = value_start + tag[value_start..].find('"').unwrap();
    let policy = tag[value_start..value_end]
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    (tag, policy)
}

/// Checks that `served` is `built` byte for byte apart from the hook and the policy that admits it.
fn assert_served_copy_of(served: &str, built: &str, generation: u64) {
    let (element, script) = hook_of(served);
    assert!(element.contains(&format!("data-generation=\"{generation}\"")));
    let hash = format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    );
    let without_hook = served.replacen(&element, "", 1);
    let (served_tag, served_policy) = policy_of(&without_hook);
    let (built_tag, built_policy) = policy_of(built);
    // Tera writes the documents' `/` as `&#x2F;` in the attribute; the browser (and the served copy,
    // rewritten by an HTML parser) reads it as `/`.
    let built_policy = built_policy.replace("&#x2F;", "/");
    assert_eq!(
        without_hook.replacen(&served_tag, "", 1),
        built.replacen(&built_tag, "", 1),
        "apart from the hook and the policy, the served page is the built one"
    );
    let script_src = served_policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src "))
        .expect("served policy has script-src");
    assert!(script_src.contains(&format!("'{hash}'")), "{served_policy}");
    assert!(
        served_policy.contains("connect-src 'self'"),
        "{served_policy}"
    );
    assert!(!built_policy.contains("connect-src"));
    let expected = if built_policy.contains("script-src") {
        built_policy
            .replace("; style-src", &format!(" '{hash}'; style-src"))
            .to_string()
            + "; connect-src 'self'"
    } else {
        format!("{built_policy}; script-src '{hash}'; connect-src 'self'")
    };
    assert_eq!(served_policy, expected);
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn serves_the_build_rebuilds_on_save_and_keeps_the_last_good_build() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("site"));
    let built = lifeboat(dir.path(), &["build", "site", "--out", "out", "-q"]);
    assert_eq!(built.code, 0, "{}", built.transcript());
    let built = read_tree(&dir.path().join("out"));
    let text = |name: &str| String::from_utf8(built[name].clone()).unwrap();

    let mut serve = Serve::start(dir.path(), "site");
    let status = serve.wait_until(|s| s["generation"] == 1);
    assert_eq!(status["errors"], serde_json::json!([]));

    let (code, index) = serve.get("/");
    assert_eq!(code, 200);
    assert_served_copy_of(&index, &text("index.html"), 1);
    for page in ["support.html", "escalation.html", "contingency.html"] {
        let (code, served) = serve.get(&format!("/{page}"));
        assert_eq!(code, 200, "{page}");
        assert_served_copy_of(&served, &text(page), 1);
    }
    let (code, manifest) = serve.get("/bcp-manifest.toml");
    assert_eq!((code, manifest), (200, text("bcp-manifest.toml")));
    // The zip is made when asked for (twice: the second answer comes from memory), as `build` writes it.
    let zip_name = built
        .keys()
        .find(|name| name.ends_with(".zip"))
        .expect("a zip in the build");
    for _ in 0..2 {
        let (code, zip) = try_request_bytes(serve.port, "GET", &format!("/{zip_name}")).unwrap();
        assert_eq!(code, 200);
        assert!(zip == built[zip_name], "the served zip is the built one");
    }
    serve.assert_logged("built generation 1 in");
    serve.assert_logged("(reused 0 of 2 entry points unchanged)");

    // A save makes a new generation with the new text.
    let power = dir.path().join("site/support/power.md");
    edit(&power, "in the cupboard", "in the blue cupboard");
    let status = serve.wait_until(|s| generation(s) > 1);
    let good = generation(&status);
    let (_, page) = serve.get("/support.html");
    let page = unpacked(&page);
    assert!(page.contains("in the blue cupboard"));
    assert!(page.contains(&format!("data-generation=\"{good}\"")));
    // Both entry points were built again (escalation's file carries support's search index, which
    // holds the edited text), as `build` writes them, and the zip is new.
    serve.assert_logged("(reused 0 of 2 entry points unchanged)");
    let rebuilt = lifeboat(dir.path(), &["build", "site", "--out", "out2", "-q"]);
    assert_eq!(rebuilt.code, 0, "{}", rebuilt.transcript());
    let rebuilt = read_tree(&dir.path().join("out2"));
    let (_, escalation) = serve.get("/escalation.html");
    assert_served_copy_of(
        &escalation,
        std::str::from_utf8(&rebuilt["escalation.html"]).unwrap(),
        good,
    );
    let (_, support) = serve.get("/support.html");
    assert_served_copy_of(
        &support,
        std::str::from_utf8(&rebuilt["support.html"]).unwrap(),
        good,
    );
    let (code, zip) = try_request_bytes(serve.port, "GET", &format!("/{zip_name}")).unwrap();
    assert_eq!(code, 200);
    assert!(
        zip == rebuilt[zip_name] && zip != built[zip_name],
        "the zip follows the edit, as `build` writes it"
    );

    // A broken link: the status names file and line; the last good build is still served.
    edit(
        &power,
        "- [Adapter is broken](#replace-the-adapter)\n",
        "- [Adapter is broken](#replace-the-adapter)\n- [Nowhere at all](#no-such-node)\n",
    );
    let line = fs::read_to_string(&power)
        .unwrap()
        .lines()
        .position(|l| l.contains("Nowhere at all"))
        .unwrap()
        + 1;
    let status = serve.wait_until(|s| s["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert_eq!(generation(&status), good);
    let error = &status["errors"][0];
    assert_eq!(error["file"], "site/support/power.md");
    assert_eq!(error["line"], line);
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("no node `#no-such-node`"));
    let (code, page) = serve.get("/support.html");
    let page = unpacked(&page);
    assert_eq!(code, 200);
    assert!(page.contains("in the blue cupboard") && !page.contains("Nowhere at all"));
    assert!(page.contains(&format!("data-generation=\"{good}\"")));
    assert!(serve
        .log()
        .contains(&format!("still serving generation {good}")));

    // Fixed: a new generation, no errors.
    edit(&power, "- [Nowhere at all](#no-such-node)\n", "");
    let status = serve.wait_until(|s| generation(s) > good);
    assert_eq!(status["errors"], serde_json::json!([]));

    // A long poll on the current generation and revision waits for the next build.
    let url = format!(
        "/__lifeboat/events?since={}&rev={}",
        generation(&status),
        status["revision"]
    );
    let port = serve.port;
    let poll = std::thread::spawn(move || request(port, "GET", &url));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !poll.is_finished(),
        "the long poll answered before a change"
    );
    edit(&power, "in the blue cupboard", "in the red cupboard");
    let (code, body) = poll.join().unwrap();
    assert_eq!(code, 200);
    let after: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(generation(&after) > generation(&status));
}

#[test]
fn outside_git_and_without_source_date_epoch_a_save_rebuilds_only_what_it_touched() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("site"));
    let in_git = Command::new("git")
        .args(["-C", "site", "rev-parse", "HEAD"])
        .current_dir(dir.path())
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        !in_git,
        "this test needs a temporary folder outside any git repository"
    );
    let mut serve = Serve::start_at(dir.path(), "site", None);
    serve.wait_until(|s| s["generation"] == 1);
    let (_, first) = serve.get("/escalation.html");
    // The snapshot time would be "now": let the clock move on before the save.
    std::thread::sleep(Duration::from_millis(1100));
    // A diagram's description: escalation's file shows nothing of it (not in its search index).
    edit(
        &dir.path().join("site/support/power.md"),
        "title = \"No power\"\n",
        "title = \"No power\"\ndescription = \"Nothing lights up\"\n",
    );
    serve.wait_until(|s| generation(s) > 1);
    serve.assert_logged("(reused 1 of 2 entry points unchanged)");
    let (_, second) = serve.get("/escalation.html");
    assert_eq!(
        second.replace("data-generation=\"2\"", "data-generation=\"1\""),
        first,
        "the untouched entry point is served as it was, snapshot date included"
    );
}

fn generation(status: &serde_json::Value) -> u64 {
    status["generation"].as_u64().expect("generation")
}

#[test]
fn only_the_files_of_the_bundle_are_served_and_only_to_get() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("site"));
    let serve = Serve::start(dir.path(), "site");
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/site.toml",
        "/support/power.md",
        "/support/images/modem.png",
        "/..%5csite.toml",
        "/nothing.html",
        "/index.html/",
    ] {
        assert_eq!(serve.get(path).0, 404, "{path}");
    }
    assert_eq!(serve.get("/index.html").0, 200);
    assert_eq!(serve.get("/support.html?x=1#/power/cable").0, 200);
    assert_eq!(request(serve.port, "POST", "/").0, 405);
    assert_eq!(request(serve.port, "DELETE", "/index.html").0, 405);
}

#[test]
fn serve_previous_shows_what_changed_since_that_copy() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("site"));
    let built = lifeboat(dir.path(), &["build", "site", "--out", "dist", "-q"]);
    assert_eq!(built.code, 0, "{}", built.transcript());
    edit(
        &dir.path().join("site/support/power.md"),
        "## Check the power cable {#cable}\n",
        "## Check the power cable {#cable}\n\nFirst ask whether the light is on.\n",
    );
    let serve = Serve::start_with(dir.path(), "site", Some(EPOCH), &["--previous", "dist"]);
    let (code, html) = serve.get("/support.html");
    assert_eq!(code, 200);
    let changes = &common::payload(&html)["changes"];
    assert_eq!(
        changes["changed"],
        serde_json::json!(["power/cable"]),
        "{changes}"
    );
    assert_eq!(changes["added"], serde_json::json!([]));
}

#[test]
fn a_first_build_that_fails_gives_an_error_page_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("site"));
    let power = dir.path().join("site/support/power.md");
    edit(&power, "(#replace-the-adapter)", "(#no-such-node)");
    let mut serve = Serve::start(dir.path(), "site");
    let status = serve.status();
    assert_eq!(status["generation"], 0);
    assert_eq!(status["errors"][0]["file"], "site/support/power.md");
    let (code, page) = serve.get("/");
    assert_eq!(code, 503);
    assert!(page.contains("site/support/power.md:"), "{page}");
    assert!(page.contains("data-lifeboat-serve"));
    edit(&power, "(#no-such-node)", "(#replace-the-adapter)");
    serve.wait_until(|s| s["generation"] == 1);
    assert_eq!(serve.get("/").0, 200);
}

#[test]
fn a_busy_port_names_a_free_one() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let run = lifeboat(
        &fixture("basic"),
        &["serve", ".", "--port", &port.to_string()],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    let expected = format!("error: port {port} is in use; try --port ");
    let suggested: u16 = run
        .stderr
        .trim()
        .strip_prefix(&expected)
        .unwrap_or_else(|| panic!("{}", run.transcript()))
        .parse()
        .unwrap();
    assert!(suggested > port);
    drop(busy);
}

#[test]
fn a_missing_content_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = lifeboat(dir.path(), &["serve", "nowhere", "--port", "1"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("content folder `nowhere` not found"));
}
