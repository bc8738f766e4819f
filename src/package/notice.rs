//! The outage notice of a share (`lifeboat notice`): a short text the continuity team puts at the top of
//! the launcher ("the CRM is down since 9:10, use this copy"), then "restored" with a link back to the
//! online system, then cleared. It lives in two places: the manifest's `[notice]` section and a slot of
//! the launcher (`index.html`).
//!
//! The launcher is not rendered again at notice time (the share has no content, theme or branding to
//! render it from): the build writes a *slot* into it, an HTML comment that carries what the notice block
//! needs (language and wording, as the build's theme had them) followed by the block itself, and
//! [`splice`] replaces only the block, with [`Slot::block`], the function the build uses. So a launcher with a
//! notice set is byte for byte what a build of the same bundle with that notice would give, and
//! clearing the notice gives back the launcher the build wrote.

use base64::Engine as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::manifest::{sha256_hex, FileRecord, Manifest};
use crate::encode::escape;

/// Longest notice text, in characters: a few sentences, read at a glance.
pub const MAX_TEXT_CHARS: usize = 600;
/// Longest `--by`, in characters.
pub const MAX_BY_CHARS: usize = 80;
/// The launcher's file name.
pub const LAUNCHER: &str = super::documents::INDEX_HTML;

const SLOT_START: &str = "<!--lifeboat-notice ";
const SLOT_END: &str = "<!--/lifeboat-notice-->";
/// Larger slots are not ours.
const MAX_SLOT_BYTES: usize = 16 << 10;

/// `set`: the online system is down, use this copy; `restored`: it is back, go back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeKind {
    Set,
    Restored,
}

impl NoticeKind {
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Set => "set",
            NoticeKind::Restored => "restored",
        }
    }
}

/// The manifest's `[notice]` section: the notice the launcher shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Notice {
    /// `set` (an outage: use this copy) or `restored` (the online system is back).
    pub kind: NoticeKind,
    /// The text shown at the top of the launcher (at most 600 characters; lines kept).
    pub text: String,
    /// Who set it (`--by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was set (RFC 3339, UTC).
    pub time: String,
    /// The same instant in seconds since 1970.
    pub epoch: i64,
    /// SHA-256 of the manifest the build wrote, which the bundle's zip holds: the zip keeps the
    /// launcher without the notice, and `verify` checks it against that manifest.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub built_manifest_sha256: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NoticeError {
    #[error("the notice text is empty")]
    Empty,
    #[error("the notice {what} is {len} characters long; the limit is {max} (a notice is read at a glance: point to the contingency document or a message for the details)")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the notice {what} holds the control character U+{code:04X} at character {at}; write plain text (line breaks are allowed in the text)")]
    Control {
        what: &'static str,
        code: u32,
        at: usize,
    },
    #[error("`{0}` has no notice slot (`{SLOT_START}…-->`): it was built by a lifeboat without notices, or from a theme whose templates/index.html lacks `{{{{ d.notice | safe }}}}`; rebuild and publish the bundle first")]
    NoSlot(String),
    #[error("`{0}` has a damaged notice slot ({1}); lifeboat did not write it and will not change it: publish the bundle again")]
    BadSlot(String, String),
    #[error("cannot clear the notice: the manifest without it is not the one the build wrote (its SHA-256 differs from the notice's `built_manifest_sha256`), so the zip would no longer match it; publish the bundle again instead")]
    NotBuilt,
}

/// The checked text of a notice: surrounding space trimmed, `\r\n` as `\n`; refused when empty, too long,
/// or holding a control character other than a line break (or one that reorders text, U+202A–U+202E,
/// U+2066–U+2069).
pub fn check_text(text: &str) -> Result<String, NoticeError> {
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(NoticeError::Empty);
    }
    check_chars("text", text, MAX_TEXT_CHARS, true)?;
    Ok(text.to_string())
}

/// The checked `--by`: trimmed, one line, at most [`MAX_BY_CHARS`]; `None` when empty.
pub fn check_by(by: &str) -> Result<Option<String>, NoticeError> {
    let by = by.trim();
    if by.is_empty() {
        return Ok(None);
    }
    check_chars("author (--by)", by, MAX_BY_CHARS, false)?;
    Ok(Some(by.to_string()))
}

fn check_chars(what: &'static str, text: &str, max: usize, lines: bool) -> Result<(), NoticeError> {
    let len = text.chars().count();
    if len > max {
        return Err(NoticeError::TooLong { what, len, max });
    }
    for (at, c) in text.chars().enumerate() {
        let reorders = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && !(lines && c == '\n')) || reorders {
            return Err(NoticeError::Control {
                what,
                code: u32::from(c),
                at: at + 1,
            });
        }
    }
    Ok(())
}

impl Notice {
    /// Whether a notice read from a share is one `lifeboat notice` could have written.
    pub fn problem(&self) -> Option<NoticeError> {
        check_text(&self.text)
            .and_then(|_| self.by.as_deref().map_or(Ok(None), check_by))
            .err()
    }
}

/// The wording of the notice block, as the build's theme has it (the launcher carries it in its slot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub lang: String,
    pub heading_set: String,
    pub heading_restored: String,
    /// `{notice_date}`, `{notice_time}`.
    pub meta: String,
    /// `{notice_date}`, `{notice_time}`, `{notice_by}`.
    pub meta_by: String,
    pub back: String,
    /// The month names, space-separated.
    pub months: String,
    /// `{day} {month} {year}`.
    pub date_format: String,
    pub day_one: String,
}

impl Slot {
    /// The slot as the build writes it into the launcher: the marker, then the block for `notice`.
    pub fn html(&self, notice: Option<&Notice>, online_url: &str) -> String {
        let data = serde_json::to_vec(self).unwrap_or_default();
        let data = base64::engine::general_purpose::STANDARD.encode(data);
        format!(
            "{SLOT_START}{data}-->{}{SLOT_END}",
            self.block(notice, online_url)
        )
    }

    /// The notice block: empty without a notice. Every value is escaped.
    pub fn block(&self, notice: Option<&Notice>, online_url: &str) -> String {
        let Some(n) = notice else {
            return String::new();
        };
        let (class, heading) = match n.kind {
            NoticeKind::Set => ("notice-set", &self.heading_set),
            NoticeKind::Restored => ("notice-restored", &self.heading_restored),
        };
        let text: Vec<String> = n.text.lines().map(escape).collect();
        let when = time::OffsetDateTime::from_unix_timestamp(n.epoch)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let date = format!(
            "<time datetime=\"{}\">{}</time>",
            escape(&n.time),
            escape(&self.long_date(when.date()))
        );
        let clock = format!("{:02}:{:02}", when.hour(), when.minute());
        let meta = match &n.by {
            Some(by) => self.meta_by.replace("{notice_by}", by),
            None => self.meta.clone(),
        };
        // The wording is escaped before the date's markup goes in.
        let meta = escape(&meta)
            .replace("{notice_date}", &date)
            .replace("{notice_time}", &clock);
        let mut out = format!(
            "\n<section class=\"notice {class}\" id=\"lb-notice\" aria-labelledby=\"lb-notice-heading\">\n<h2 id=\"lb-notice-heading\">{}</h2>\n<p class=\"notice-text\">{}</p>\n<p class=\"notice-meta\">{meta}</p>\n",
            escape(heading),
            text.join("<br>\n"),
        );
        let web = online_url.starts_with("https://") || online_url.starts_with("http://");
        if n.kind == NoticeKind::Restored && web {
            out.push_str(&format!(
                "<p class=\"notice-back\"><a href=\"{}\" rel=\"noreferrer noopener\">{}</a></p>\n",
                escape(online_url),
                escape(&self.back)
            ));
        }
        out.push_str("</section>\n");
        out
    }

    fn long_date(&self, date: time::Date) -> String {
        crate::snapshot::long_date(date, &self.months, &self.day_one, &self.date_format)
    }
}

/// Where the slot is in a launcher: its wording, and the byte range of the block.
struct Found {
    slot: Slot,
    block: std::ops::Range<usize>,
}

fn find(shown: &str, launcher: &str) -> Result<Found, NoticeError> {
    let bad = |why: &str| NoticeError::BadSlot(shown.to_string(), why.to_string());
    let start = launcher
        .find(SLOT_START)
        .ok_or_else(|| NoticeError::NoSlot(shown.to_string()))?;
    if launcher.matches(SLOT_START).count() != 1 || launcher.matches(SLOT_END).count() != 1 {
        return Err(bad("it is there more than once"));
    }
    let data_at = start + SLOT_START.len();
    let close = launcher[data_at..]
        .find("-->")
        .ok_or_else(|| bad("its comment is not closed"))?;
    if close > MAX_SLOT_BYTES {
        return Err(bad("it is too large"));
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(&launcher[data_at..data_at + close])
        .map_err(|e| bad(&format!("not base64: {e}")))?;
    let slot: Slot =
        serde_json::from_slice(&data).map_err(|e| bad(&format!("not its data: {e}")))?;
    let block_at = data_at + close + "-->".len();
    let end = launcher[block_at..]
        .find(SLOT_END)
        .ok_or_else(|| bad("its end comes before it"))?;
    Ok(Found {
        slot,
        block: block_at..block_at + end,
    })
}

/// The launcher's language (`lang` of its slot), for messages and the drill checklist.
pub fn launcher_language(launcher: &str) -> Option<String> {
    find(LAUNCHER, launcher).ok().map(|f| f.slot.lang)
}

/// `launcher` with its notice block replaced by the one for `notice`.
pub fn splice(
    shown: &str,
    launcher: &str,
    notice: Option<&Notice>,
    online_url: &str,
) -> Result<String, NoticeError> {
    let found = find(shown, launcher)?;
    let mut out = String::with_capacity(launcher.len() + 1024);
    out.push_str(&launcher[..found.block.start]);
    out.push_str(&found.slot.block(notice, online_url));
    out.push_str(&launcher[found.block.end..]);
    Ok(out)
}

/// A bundle with a notice set, replaced or cleared.
#[derive(Debug, Clone)]
pub struct Applied {
    pub manifest: Manifest,
    pub manifest_raw: Vec<u8>,
    pub launcher: Vec<u8>,
}

/// The bundle of manifest `m` (its bytes `raw`, its launcher `launcher`) with `notice` instead of the
/// one it has (none: cleared). `notice.built_manifest_sha256` is filled in here. Clearing gives back the
/// manifest the build wrote, byte for byte, or fails.
pub fn apply(
    m: &Manifest,
    raw: &[u8],
    launcher: &[u8],
    notice: Option<Notice>,
) -> Result<Applied, NoticeError> {
    let launcher_text = std::str::from_utf8(launcher)
        .map_err(|_| NoticeError::BadSlot(LAUNCHER.into(), "not UTF-8".into()))?;
    let built = match &m.notice {
        Some(old) => old.built_manifest_sha256.clone(),
        None => sha256_hex(raw),
    };
    let notice = notice.map(|n| Notice {
        built_manifest_sha256: built.clone(),
        ..n
    });
    let spliced = splice(LAUNCHER, launcher_text, notice.as_ref(), &m.online_url)?;
    // The build's part only: a share's `[published]` table is not signed and goes after it again.
    let mut manifest = m.clone();
    let published = manifest.published.take();
    let record = FileRecord::of(LAUNCHER, spliced.as_bytes());
    match manifest.documents.iter_mut().find(|d| d.file == LAUNCHER) {
        Some(d) => *d = record,
        None => return Err(NoticeError::NoSlot(LAUNCHER.into())),
    }
    manifest.notice = notice;
    let manifest_raw = manifest.to_toml().into_bytes();
    if manifest.notice.is_none() && m.notice.is_some() && sha256_hex(&manifest_raw) != built {
        return Err(NoticeError::NotBuilt);
    }
    manifest.published = published;
    Ok(Applied {
        manifest,
        manifest_raw,
        launcher: spliced.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> Slot {
        Slot {
            lang: "en".into(),
            heading_set: "Notice".into(),
            heading_restored: "Service restored".into(),
            meta: "Posted on {notice_date} at {notice_time} UTC".into(),
            meta_by: "Posted on {notice_date} at {notice_time} UTC by {notice_by}".into(),
            back: "Back to the usual tool".into(),
            months: "January February March April May June July August September October November December".into(),
            date_format: "{day} {month} {year}".into(),
            day_one: "1".into(),
        }
    }

    fn notice(kind: NoticeKind, text: &str, by: Option<&str>) -> Notice {
        Notice {
            kind,
            text: text.into(),
            by: by.map(String::from),
            time: "2026-12-03T09:10:00Z".into(),
            epoch: 1_796_289_000,
            built_manifest_sha256: String::new(),
        }
    }

    #[test]
    fn text_is_trimmed_and_limited() {
        assert_eq!(
            check_text("  CRM down \r\n since 9:10 "),
            Ok("CRM down \n since 9:10".into())
        );
        assert_eq!(check_text(" \n "), Err(NoticeError::Empty));
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            check_text(&long),
            Err(NoticeError::TooLong { len: 601, .. })
        ));
        assert!(matches!(
            check_text("a\u{7}b"),
            Err(NoticeError::Control { code: 7, at: 2, .. })
        ));
        assert!(matches!(
            check_text("abc\u{202e}cba"),
            Err(NoticeError::Control { code: 0x202e, .. })
        ));
        assert!(matches!(
            check_by("a\nb"),
            Err(NoticeError::Control { code: 10, .. })
        ));
        assert_eq!(check_by("  "), Ok(None));
    }

    #[test]
    fn the_block_escapes_everything_it_shows() {
        let n = notice(
            NoticeKind::Set,
            "<script>alert(1)</script>\nline 2",
            Some("<b>Ann</b>"),
        );
        let block = slot().block(Some(&n), "https://crm.example");
        assert!(
            !block.contains("<script>") && !block.contains("<b>"),
            "{block}"
        );
        assert!(block.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>\nline 2"));
        assert!(block.contains("<time datetime=\"2026-12-03T09:10:00Z\">3 December 2026</time> at 09:10 UTC by &lt;b&gt;Ann&lt;/b&gt;"));
        assert!(
            !block.contains("notice-back"),
            "a set notice has no link back"
        );
    }

    #[test]
    fn restored_links_back_to_a_web_address_only() {
        let n = notice(NoticeKind::Restored, "Back", None);
        let block = slot().block(Some(&n), "https://crm.example/?a=1&b=2");
        assert!(block.contains("<a href=\"https://crm.example/?a=1&amp;b=2\" rel=\"noreferrer noopener\">Back to the usual tool</a>"));
        let block = slot().block(Some(&n), "javascript:alert(1)");
        assert!(!block.contains("<a "), "{block}");
    }

    #[test]
    fn splicing_replaces_the_block_only_and_an_empty_notice_gives_the_original_back() {
        let built = format!("<main>{}<header>", slot().html(None, "https://x"));
        let n = notice(NoticeKind::Set, "Down", None);
        let set = splice("index.html", &built, Some(&n), "https://x").unwrap();
        assert_eq!(
            set,
            format!("<main>{}<header>", slot().html(Some(&n), "https://x"))
        );
        assert_eq!(
            splice("index.html", &set, None, "https://x").unwrap(),
            built
        );
    }

    #[test]
    fn a_launcher_without_a_slot_or_with_two_is_refused() {
        assert!(matches!(
            splice("i", "<main>", None, ""),
            Err(NoticeError::NoSlot(_))
        ));
        let one = slot().html(None, "");
        let two = format!("{one}{one}");
        assert!(matches!(
            splice("i", &two, None, ""),
            Err(NoticeError::BadSlot(..))
        ));
        let broken = "<!--lifeboat-notice !!!-->x<!--/lifeboat-notice-->";
        assert!(matches!(
            splice("i", broken, None, ""),
            Err(NoticeError::BadSlot(..))
        ));
    }
}
