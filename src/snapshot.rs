//! When and from what the bundle was made: the snapshot time and the source revision.

use std::path::Path;
use std::process::Command;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `epoch` as RFC 3339 in UTC, to the second (`2025-11-22T08:26:40Z`); the number itself when it is out
/// of the calendar's range.
pub fn rfc3339(epoch: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| epoch.to_string())
}

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Seconds since the Unix epoch.
    pub epoch: i64,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// RFC 3339 (UTC).
    pub iso: String,
    /// Full git commit of the content, when it lives in a git repository.
    pub commit: Option<String>,
    /// Whether the content folder had uncommitted changes.
    pub dirty: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not `{0}`")]
    BadEpoch(String),
}

impl Snapshot {
    /// The snapshot time is `SOURCE_DATE_EPOCH` if set, else the content's last git commit, else now.
    pub fn take(
        content_dir: &Path,
        source_date_epoch: Option<String>,
    ) -> Result<Snapshot, SnapshotError> {
        let commit = git(content_dir, &["rev-parse", "HEAD"]);
        let epoch = match source_date_epoch {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .map_err(|_| SnapshotError::BadEpoch(raw.clone()))?,
            None => git(content_dir, &["log", "-1", "--format=%ct", "--", "."])
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| OffsetDateTime::now_utc().unix_timestamp()),
        };
        let dirty = commit.is_some()
            && git(content_dir, &["status", "--porcelain", "--", "."])
                .is_some_and(|s| !s.is_empty());
        Ok(Snapshot::at(epoch, commit, dirty))
    }

    pub fn at(epoch: i64, commit: Option<String>, dirty: bool) -> Snapshot {
        let when = OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let date = format!(
            "{:04}-{:02}-{:02}",
            when.year(),
            u8::from(when.month()),
            when.day()
        );
        let iso = when.format(&Rfc3339).unwrap_or_default();
        Snapshot {
            epoch: when.unix_timestamp(),
            date,
            iso,
            commit,
            dirty,
        }
    }

    /// The first 12 digits of the commit, for people.
    pub fn short_commit(&self) -> Option<&str> {
        self.commit.as_deref().map(|c| &c[..c.len().min(12)])
    }
}

/// Runs git in `dir`; `None` when git is missing, the folder is not a repository, or the output is empty.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (!text.is_empty() || args.first() == Some(&"status")).then_some(text)
}

/// `YYYY-MM-DD` -> date.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// A date in words, as the documents, the launcher's notice and the viewer's stale-copy alert write it:
/// `format` with `{day}`, `{month}` and `{year}` ("{day} {month} {year}"), `months` the twelve names
/// space-separated, `day_one` the first day of a month ("1er" in French). "22 novembre 2025".
pub fn long_date(date: time::Date, months: &str, day_one: &str, format: &str) -> String {
    let month = months
        .split_whitespace()
        .nth(usize::from(u8::from(date.month())) - 1)
        .unwrap_or_default();
    let day = if date.day() == 1 {
        day_one.to_string()
    } else {
        date.day().to_string()
    };
    format
        .replace("{day}", &day)
        .replace("{month}", month)
        .replace("{year}", &date.year().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_dates_follow_the_documents_wording() {
        let fr =
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre";
        let d = |s| parse_date(s).unwrap();
        assert_eq!(
            long_date(d("2025-11-22"), fr, "1er", "{day} {month} {year}"),
            "22 novembre 2025"
        );
        assert_eq!(
            long_date(d("2026-03-01"), fr, "1er", "{day} {month} {year}"),
            "1er mars 2026"
        );
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1"), None);
    }

    #[test]
    fn formats_dates_in_utc() {
        let s = Snapshot::at(1_763_800_000, None, false);
        assert_eq!(s.date, "2025-11-22");
        assert_eq!(s.iso, "2025-11-22T08:26:40Z");
    }
}
