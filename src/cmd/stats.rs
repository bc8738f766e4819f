//! `lifeboat stats`: nodes, decisions, end points, images, bytes and paths per entry point and diagram.

use std::process::ExitCode;

use crate::cli::{Format, StatsOptions};
use crate::stats::{self, Stats, ADVISED_MAX_NODES};

pub fn run(opts: &StatsOptions) -> anyhow::Result<ExitCode> {
    let (report, loaded) = super::load_and_check(&opts.content_dir, opts.env.as_deref());
    let Some((project, checked)) = loaded.filter(|_| !report.has_errors()) else {
        super::print_report(&report);
        eprintln!("stats need content without errors; fix them first (`lifeboat check`)");
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    };
    let stats = stats::compute(&project, &checked, &report);
    match opts.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Text => print!("{}", text(&stats)),
    }
    Ok(ExitCode::SUCCESS)
}

fn text(stats: &Stats) -> String {
    let mut out = String::new();
    let mut too_big = Vec::new();
    for entry in &stats.entries {
        out.push_str(&format!(
            "{} ({}): {} diagram{}, {} nodes, {} decisions, {} end points, {} image{}, {} KiB\n",
            entry.id,
            entry.title,
            entry.diagrams.len(),
            plural(entry.diagrams.len()),
            entry.nodes,
            entry.decisions,
            entry.end_points,
            entry.images,
            plural(entry.images),
            entry.bytes.div_ceil(1024),
        ));
        let width = entry
            .diagrams
            .iter()
            .map(|d| d.id.chars().count())
            .max()
            .unwrap_or(0)
            .max("diagram".len());
        // Review columns only where the content speaks of reviews.
        let reviews = entry
            .diagrams
            .iter()
            .any(|d| d.owner.is_some() || d.reviewed.is_some() || d.review.is_some());
        let unreachable_width = entry
            .diagrams
            .iter()
            .map(|d| unreachable(d).chars().count())
            .max()
            .unwrap_or(0)
            .max("unreachable".len());
        let header = format!(
            "  {:width$}  nodes  decisions  ends  images   bytes  longest  unreachable",
            "diagram"
        );
        if reviews {
            let pad = unreachable_width - "unreachable".len();
            out.push_str(&format!(
                "{header}{:pad$}  reviewed              owner\n",
                ""
            ));
        } else {
            out.push_str(&format!("{header}\n"));
        }
        for d in &entry.diagrams {
            let longest = format!(
                "{}{}",
                if d.longest_path_exact { "" } else { "≥" },
                d.longest_path
            );
            let unreachable = unreachable(d);
            let row = format!(
                "  {:width$}  {:>5}  {:>9}  {:>4}  {:>6}  {:>6}  {:>7}  ",
                d.id, d.nodes, d.decisions, d.end_points, d.images, d.bytes, longest
            );
            if reviews {
                let reviewed = match (&d.reviewed, d.review) {
                    (Some(on), Some(status)) => format!("{on} ({status})"),
                    (Some(on), None) => on.clone(),
                    (None, Some(status)) => status.to_string(),
                    (None, None) => "-".into(),
                };
                let owner = d.owner.as_deref().unwrap_or("-");
                out.push_str(&format!(
                    "{row}{unreachable:unreachable_width$}  {reviewed:20}  {owner}\n"
                ));
            } else {
                out.push_str(&format!("{row}{unreachable}\n"));
            }
            if d.nodes > ADVISED_MAX_NODES {
                too_big.push(format!("{}/{} ({} nodes)", entry.id, d.id, d.nodes));
            }
        }
    }
    if !too_big.is_empty() {
        out.push_str(&format!(
            "over the advised {ADVISED_MAX_NODES} nodes per diagram (split them: long trees are hard to follow and review): {}\n",
            too_big.join(", ")
        ));
    }
    out
}

fn unreachable(d: &stats::DiagramStats) -> String {
    if d.unreachable.is_empty() {
        "-".to_string()
    } else {
        d.unreachable.join(", ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
