//! Reviews: a diagram's front matter may name its owner and its last review (`owner`, `reviewed`);
//! `[backup] review_days` of site.toml sets how old a review may be. Dates are counted against the
//! snapshot's date, never the clock, so a build stays deterministic.

use std::path::Path;

use time::Date;

use crate::content::{Diagram, Project};
use crate::diagnostics::{Diagnostic, Report};

/// Where a diagram stands against the review policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// No `reviewed` date (or not a plain date).
    Never,
    /// Reviewed `days` days before the snapshot.
    Reviewed { on: Date, days: i64 },
}

impl Review {
    pub fn of(diagram: &Diagram, as_of: Date) -> Review {
        match diagram
            .front
            .reviewed
            .as_ref()
            .and_then(|r| plain_date(r.get_ref()))
        {
            Some(on) => Review::Reviewed {
                on,
                days: (as_of - on).whole_days(),
            },
            None => Review::Never,
        }
    }

    /// Whether the policy (`review_days`, if any) calls this diagram overdue.
    pub fn overdue(self, review_days: Option<i64>) -> bool {
        match (self, review_days) {
            (_, None) => false,
            (Review::Never, Some(_)) => true,
            (Review::Reviewed { days, .. }, Some(limit)) => days > limit,
        }
    }
}

/// A TOML value written as a plain date (`2026-10-15`), not a date and time.
pub fn plain_date(value: &toml::value::Datetime) -> Option<Date> {
    let date = value.date?;
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let month = time::Month::try_from(date.month).ok()?;
    Date::from_calendar_date(i32::from(date.year), month, date.day).ok()
}

/// Whether anything in the content is about reviews: only then is the snapshot's date needed.
pub fn needed(project: &Project) -> bool {
    project.site.backup.review_days.is_some()
        || project
            .entries
            .iter()
            .flat_map(|e| &e.diagrams)
            .any(|d| d.front.reviewed.is_some())
}

/// The date reviews are counted against: the snapshot's (`SOURCE_DATE_EPOCH`, else the content's last
/// commit, else today), as the build takes it.
pub fn as_of(root: &Path) -> Option<Date> {
    let snapshot =
        crate::snapshot::Snapshot::take(root, std::env::var("SOURCE_DATE_EPOCH").ok()).ok()?;
    time::OffsetDateTime::from_unix_timestamp(snapshot.epoch)
        .ok()
        .map(|t| t.date())
}

pub fn check(project: &Project, as_of: Date, report: &mut Report) {
    let policy = project.site.backup.review_days.as_ref();
    if let Some(days) = policy.filter(|d| *d.get_ref() < 1) {
        report.push(
            Diagnostic::error("backup.review_days must be a positive number of days")
                .at(project.site_file, days.span())
                .label("must be at least 1"),
        );
    }
    let limit = policy.map(|d| *d.get_ref()).filter(|d| *d >= 1);
    for diagram in project.entries.iter().flat_map(|e| &e.diagrams) {
        if let Some(reviewed) = &diagram.front.reviewed {
            let span = diagram.front_span(reviewed);
            match plain_date(reviewed.get_ref()) {
                None => {
                    report.push(
                        Diagnostic::error("`reviewed` must be a date, written like 2026-10-15")
                            .at(diagram.file, span)
                            .label("not a plain date")
                            .hint("write the day only, without quotes or a time: reviewed = 2026-10-15"),
                    );
                    continue;
                }
                Some(on) if on > as_of => {
                    report.push(
                        Diagnostic::error(format!(
                            "`reviewed` is {on}, after this copy's snapshot date {as_of}"
                        ))
                        .at(diagram.file, span)
                        .label("in the future")
                        .hint("write the day the diagram was actually reviewed"),
                    );
                    continue;
                }
                Some(_) => {}
            }
        }
        let Some(limit) = limit else { continue };
        let review = Review::of(diagram, as_of);
        if !review.overdue(Some(limit)) {
            continue;
        }
        let owner = diagram
            .front
            .owner
            .as_deref()
            .map(|o| format!(" (owner: {o})"))
            .unwrap_or_default();
        let d = match review {
            Review::Never => Diagnostic::warning(format!(
                "diagram `{}` has never been reviewed{owner}: the policy is every {limit} days",
                diagram.id
            ))
            .at(diagram.file, 0..3)
            .label("no `reviewed` date in the front matter")
            .hint("after reviewing it, add e.g. `reviewed = 2026-10-15` (and `owner = \"…\"`) to the front matter"),
            Review::Reviewed { on, days } => Diagnostic::warning(format!(
                "diagram `{}` was last reviewed on {on}, {days} days before this copy{owner}: the policy is every {limit} days",
                diagram.id
            ))
            .at(
                diagram.file,
                diagram.front_span(diagram.front.reviewed.as_ref().expect("reviewed")),
            )
            .label("review overdue")
            .hint("review the diagram with its owner, then update `reviewed`"),
        };
        report.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_date_counts() {
        let date = |s: &str| s.parse::<toml::value::Datetime>().unwrap();
        assert_eq!(
            plain_date(&date("2026-10-15")),
            Date::from_calendar_date(2026, time::Month::October, 15).ok()
        );
        assert_eq!(plain_date(&date("2026-10-15T10:00:00")), None);
        assert_eq!(plain_date(&date("10:00:00")), None);
    }

    #[test]
    fn the_policy_decides_what_is_overdue() {
        let on = Date::from_calendar_date(2026, time::Month::January, 1).unwrap();
        let r = Review::Reviewed { on, days: 181 };
        assert!(r.overdue(Some(180)));
        assert!(!r.overdue(Some(181)));
        assert!(!r.overdue(None));
        assert!(Review::Never.overdue(Some(1)));
        assert!(!Review::Never.overdue(None));
    }
}
