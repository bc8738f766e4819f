//! The TOML files of a content folder (site.toml, entry.toml, diagram front matter), through the same
//! `content::parse_toml` the loader uses, then the drawing of the diagnostic it reports.
#![no_main]

use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;
use lifeboat::content::config::{EntryConfig, FrontMatter, SiteConfig};
use lifeboat::content::parse_toml;
use lifeboat::diagnostics::Report;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file kind; the rest is the file.
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut report = Report::default();
    let file = report.add_file("file.toml".into(), text.to_string());
    match kind % 3 {
        0 => drop(parse_toml::<SiteConfig>(&mut report, file, text, 0)),
        1 => drop(parse_toml::<EntryConfig>(&mut report, file, text, 0)),
        _ => drop(parse_toml::<FrontMatter>(&mut report, file, text, 0)),
    }
    report.sort();
    report.emit_text(&mut NoColor::new(Vec::new())).unwrap();
    let _ = report.to_json();
});
