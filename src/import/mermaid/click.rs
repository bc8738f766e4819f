//! `click` statements: `click A "https://…" "tooltip" _blank`, `click A href "…"`, `click A callback
//! "tooltip"`, `click A call callback(args)`. Links that may leave the offline copy are kept in the
//! step's text; callbacks cannot run there.

/// What a `click` statement asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Click {
    /// Node ids (`click A,B …`).
    pub ids: Vec<String>,
    pub url: Option<String>,
    pub tooltip: Option<String>,
    /// The callback's name, when it calls one.
    pub callback: Option<String>,
}

/// Reads a `click` statement's text after `click` (up to the end of the line); the bytes taken.
pub(super) fn parse(text: &str) -> Result<(Click, usize), String> {
    let mut pos = skip(text, 0);
    let ids_end = text
        .get(pos..)
        .and_then(|t| t.find(char::is_whitespace))
        .map_or(text.len(), |i| pos + i);
    let ids = text.get(pos..ids_end).unwrap_or("");
    if ids.is_empty() {
        return Err("`click` needs a node id".into());
    }
    let mut click = Click {
        ids: ids.split(',').map(str::to_string).collect(),
        ..Click::default()
    };
    pos = skip(text, ids_end);
    let rest = text.get(pos..).unwrap_or("");
    if let Some(after) = rest
        .strip_prefix("href")
        .filter(|a| a.starts_with([' ', '\t']))
    {
        pos = skip(text, text.len() - after.len());
        let (url, used) = string(text, pos).ok_or("`click … href` needs a quoted link")?;
        click.url = Some(url);
        pos = skip(text, used);
    } else if rest.starts_with('"') {
        let (url, used) = string(text, pos).ok_or("the link of `click` is not closed by `\"`")?;
        click.url = Some(url);
        pos = skip(text, used);
    } else if let Some(after) = rest
        .strip_prefix("call")
        .filter(|a| a.starts_with([' ', '\t']))
    {
        let start = skip(text, text.len() - after.len());
        let name_end = text
            .get(start..)
            .and_then(|t| t.find(['(', '\n']))
            .map_or(text.len(), |i| start + i);
        click.callback = Some(text.get(start..name_end).unwrap_or("").trim().to_string());
        pos = name_end;
        if text.get(pos..).is_some_and(|t| t.starts_with('(')) {
            let close = text
                .get(pos..)
                .and_then(|t| t.find(')'))
                .ok_or("the arguments of `click … call` are not closed by `)`")?;
            pos += close + 1;
        }
        pos = skip(text, pos);
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(
                "`click` needs a link (`\"https://…\"`) or a callback after the node id".into(),
            );
        }
        click.callback = Some(rest.get(..end).unwrap_or("").to_string());
        pos = skip(text, pos + end);
    }
    if let Some((tooltip, used)) = string(text, pos) {
        click.tooltip = Some(tooltip).filter(|t| !t.trim().is_empty());
        pos = skip(text, used);
    }
    for target in ["_self", "_blank", "_parent", "_top"] {
        if text.get(pos..).is_some_and(|t| t.starts_with(target)) {
            pos = skip(text, pos + target.len());
        }
    }
    let rest = text.get(pos..).unwrap_or("");
    if !(rest.is_empty() || rest.starts_with(['\n', ';', '\r'])) {
        let found: String = rest.lines().next().unwrap_or("").chars().take(30).collect();
        return Err(format!("unexpected `{found}` in a `click` statement"));
    }
    Ok((click, pos))
}

/// Skips spaces and tabs from `pos`.
fn skip(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    pos + rest.len() - rest.trim_start_matches([' ', '\t']).len()
}

/// The `"…"` string at `pos`, and the position after it.
fn string(text: &str, pos: usize) -> Option<(String, usize)> {
    let body = text.get(pos..)?.strip_prefix('"')?;
    let end = body.find('"')?;
    Some((body.get(..end)?.to_string(), pos + 1 + end + 1))
}

/// Whether a link may leave the offline copy: `http(s):`, `mailto:`, `tel:` (as `check` requires).
pub(super) fn is_outside_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        && !url.contains(char::is_whitespace)
}
