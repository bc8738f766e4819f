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
        out.push_str(&format!(
            "  {:width$}  nodes  decisions  ends  images   bytes  longest  unreachable\n",
            "diagram"
        ));
        for d in &entry.diagrams {
            let longest = format!(
                "{}{}",
                if d.longest_path_exact { "" } else { "≥" },
                d.longest_path
            );
            let unreachable = if d.unreachable.is_empty() {
                "-".to_string()
            } else {
                d.unreachable.join(", ")
            };
            out.push_str(&format!(
                "  {:width$}  {:>5}  {:>9}  {:>4}  {:>6}  {:>6}  {:>7}  {}\n",
                d.id, d.nodes, d.decisions, d.end_points, d.images, d.bytes, longest, unreachable
            ));
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
