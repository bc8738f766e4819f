//! Answering requests: GET only, the files of the last good build by their exact names, and the two
//! endpoints of the reload hook.
//!
//! - `/` is `index.html`; any other path is percent-decoded and looked up as a file name of the
//!   in-memory bundle, so `..`, `%2e%2e` or any name the build did not produce is a 404 (nothing is
//!   read from disk).
//! - `/__lifeboat/status` answers at once with `{generation, revision, errors: [{file, line, message}]}`.
//! - `/__lifeboat/events?since=G[&rev=R]` answers the same once the generation differs from `G` (or the
//!   revision from `R`), or after 5 s (each open tab holds a connection while it waits).
//! - Requests whose `Host` is not 127.0.0.1 or localhost are refused (a guard against DNS rebinding).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::{hook, Body, Problem, Shared, Status};

/// Longest a long poll is held open: browsers allow six connections per host, and each open tab
/// holds one while it waits.
pub const LONG_POLL: Duration = Duration::from_secs(5);

/// Most requests answered at once (each long poll holds one thread).
const MAX_IN_FLIGHT: usize = 64;

/// What a request gets.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Body,
}

impl Reply {
    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Body::owned(format!("{text}\n").into_bytes()),
        }
    }

    fn json(status: &Status) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body: Body::owned(serde_json::to_vec(status).unwrap_or_else(|_| b"{}".to_vec())),
        }
    }
}

/// Answers a request on its own thread (long polls wait), unless too many are being answered.
pub fn dispatch(request: Request, shared: Arc<Shared>) {
    if shared.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        respond(request, Reply::text(503, "too many requests at once"));
        return;
    }
    let worker = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("lifeboat-http".into())
        .spawn(move || {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.as_str().to_string());
            let reply = answer(
                &worker,
                request.method() == &Method::Get,
                host.as_deref(),
                request.url(),
            );
            respond(request, reply);
            worker.in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    if let Err(e) = spawned {
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        eprintln!("warning: cannot answer a request: {e}");
    }
}

/// A served body as `tiny_http` reads it: its pieces one after the other, not a copy.
struct Reader {
    body: Body,
    part: usize,
    at: usize,
}

impl std::io::Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(piece) = self.body.slices().nth(self.part) {
            if self.at < piece.len() {
                let n = buf.len().min(piece.len() - self.at);
                buf[..n].copy_from_slice(&piece[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            self.part += 1;
            self.at = 0;
        }
        Ok(0)
    }
}

fn respond(request: Request, reply: Reply) {
    let length = reply.body.len();
    let mut response = Response::new(
        StatusCode(reply.status),
        Vec::new(),
        Reader {
            body: reply.body,
            part: 0,
            at: 0,
        },
        Some(length),
        None,
    );
    let headers = [
        ("Content-Type", reply.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ];
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    if reply.status == 405 {
        if let Ok(header) = Header::from_bytes(&b"Allow"[..], &b"GET"[..]) {
            response.add_header(header);
        }
    }
    // The browser may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

/// The reply to a request, given whether it is a GET, its `Host` header and its target.
pub fn answer(shared: &Shared, is_get: bool, host: Option<&str>, url: &str) -> Reply {
    if !is_get {
        return Reply::text(405, "only GET is served");
    }
    if !host.map_or(true, host_allowed) {
        return Reply::text(403, "this server answers only to 127.0.0.1 and localhost");
    }
    let url = url.split('#').next().unwrap_or("");
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    match path {
        "/__lifeboat/status" => return Reply::json(&shared.status()),
        "/__lifeboat/events" => {
            let since = query_value(query, "since").and_then(|v| v.parse::<u64>().ok());
            let revision = query_value(query, "rev").and_then(|v| v.parse::<u64>().ok());
            return match since {
                Some(since) => Reply::json(&shared.wait_for_change(since, revision, LONG_POLL)),
                None => Reply::text(400, "`since` must be a build generation number"),
            };
        }
        _ => {}
    }
    let (site, errors) = shared.site();
    let Some(site) = site else {
        return Reply {
            status: 503,
            content_type: "text/html; charset=utf-8",
            body: Body::owned(error_page(&errors).into_bytes()),
        };
    };
    let name = match path {
        "/" => Some("index.html".to_string()),
        _ => path.strip_prefix('/').and_then(percent_decode),
    };
    match name.and_then(|n| site.body(&n).map(|body| (n, body))) {
        Some((name, Ok(body))) => Reply {
            status: 200,
            content_type: content_type(&name),
            body,
        },
        Some((name, Err(e))) => Reply::text(500, &format!("cannot make `{name}`: {e}")),
        None => Reply::text(404, "not found"),
    }
}

fn host_allowed(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost")
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Decodes `%XX` escapes (a `%` not followed by two hex digits stays as it is); `None` when the result
/// is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("toml") => "text/plain; charset=utf-8",
        Some("zip") => "application/zip",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The page served while there is no good build yet: the problems, and the hook that reloads it.
pub fn error_page(problems: &[Problem]) -> String {
    let items: String = problems
        .iter()
        .map(|p| {
            format!(
                "<li>{}</li>",
                html_escape::encode_double_quoted_attribute(&p.to_text())
            )
        })
        .collect();
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; base-uri 'none'; form-action 'none'\">\
         <title>Lifeboat: the content has errors</title></head><body>\
         <h1>The content has errors</h1>\
         <p>Nothing could be built yet. Fix these problems and save: this page reloads by itself.</p>\
         <ul>{items}</ul></body></html>"
    );
    hook::inject(&page, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2e%2E/a%20b").as_deref(), Some("../a b"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz%4").as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn hosts() {
        assert!(host_allowed("127.0.0.1:4000"));
        assert!(host_allowed("LOCALHOST:4000"));
        assert!(host_allowed("localhost"));
        assert!(!host_allowed("evil.example:4000"));
        assert!(!host_allowed("[::1]:4000"));
    }

    #[test]
    fn no_build_yet_gives_the_error_page_and_other_methods_405() {
        let shared = Shared::default();
        let reply = answer(&shared, true, Some("127.0.0.1:1"), "/support.html");
        assert_eq!(reply.status, 503);
        assert!(String::from_utf8_lossy(&reply.body.to_vec()).contains(hook::HOOK_ATTRIBUTE));
        assert_eq!(answer(&shared, false, None, "/").status, 405);
        assert_eq!(answer(&shared, true, Some("evil:1"), "/").status, 403);
        assert_eq!(
            answer(&shared, true, None, "/__lifeboat/events").status,
            400
        );
    }

    #[test]
    fn error_page_escapes_problem_text() {
        let page = error_page(&[Problem {
            file: Some("a/<b>.md".into()),
            line: Some(3),
            message: "bad <script>".into(),
        }]);
        assert!(page.contains("a/&lt;b&gt;.md:3 bad &lt;script&gt;"));
    }
}
