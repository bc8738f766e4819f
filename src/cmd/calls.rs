//! `lifeboat calls merge`: the agents' call log exports -> one file for re-entry into the CRM.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::calls;
use crate::cli::{CallsCommand, CallsFormat, CallsMergeOptions};
use crate::diagnostics::{Diagnostic, Report};

pub fn run(command: &CallsCommand) -> anyhow::Result<ExitCode> {
    match command {
        CallsCommand::Merge(opts) => merge(opts),
    }
}

/// Exit 1 when an export has a problem (every one is reported, with its file and line) and nothing is
/// written; exit 2 (`Err`) when the command cannot run.
fn merge(opts: &CallsMergeOptions) -> anyhow::Result<ExitCode> {
    let to_stdout = opts.out.as_os_str() == "-";
    let inputs = inputs(&opts.files, (!to_stdout).then_some(opts.out.as_path()))?;
    if !to_stdout {
        refuse_input_as_output(&opts.out, &inputs)?;
    }
    let format = opts.format.unwrap_or_else(|| {
        let json = opts
            .out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json {
            CallsFormat::Json
        } else {
            CallsFormat::Csv
        }
    });

    let mut report = Report::default();
    let mut exports = Vec::new();
    for path in &inputs {
        let name = path.display().to_string();
        let Some(bytes) = read_limited(path)? else {
            report.push(Diagnostic::error(format!(
                "`{name}` is larger than the {} MiB limit for call log exports: it is not one",
                calls::MAX_EXPORT_BYTES >> 20
            )));
            continue;
        };
        if let Some(export) = calls::read(&mut report, &name, &bytes) {
            exports.push(export);
        }
    }
    let merged = if report.has_errors() {
        None
    } else {
        calls::merge(&mut report, &exports)
    };
    let Some(merged) = merged.filter(|_| !report.has_errors()) else {
        report.sort();
        super::print_report(&report);
        let shown = if to_stdout {
            "nothing was written".to_string()
        } else {
            format!("`{}` was not written", opts.out.display())
        };
        eprintln!("error: the exports have problems; {shown}");
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    };
    if !report.diagnostics().is_empty() {
        report.sort();
        super::print_report(&report);
    }

    let bytes = match format {
        CallsFormat::Csv => calls::to_csv(&merged),
        CallsFormat::Json => {
            let now = super::verify::now(None).map_err(anyhow::Error::msg)?;
            let now = time::OffsetDateTime::from_unix_timestamp(now)
                .context("the current time is out of range")?;
            calls::to_json(&merged, now)
        }
    }
    .context("formatting the merged call log")?;
    let shown = if to_stdout {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .context("writing to standard output")?;
        "standard output".to_string()
    } else {
        super::write_atomic(&opts.out, &bytes, true)?;
        opts.out.display().to_string()
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    eprintln!(
        "merged {} from {} ({} dropped) -> {shown}",
        plural(merged.records.len(), "record", "records"),
        plural(inputs.len(), "file", "files"),
        plural(merged.duplicates, "duplicate", "duplicates"),
    );
    Ok(ExitCode::SUCCESS)
}

/// The files to read, in the order given: a folder stands for its `.csv` and `.json` files, by name
/// (the shells of Windows do not expand `*.csv`), less `out`, the file this merge writes. A file given
/// twice is read once.
fn inputs(args: &[PathBuf], out: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let out = out.and_then(|o| fs::canonicalize(o).ok());
    let mut files = Vec::new();
    for arg in args {
        let meta = fs::metadata(arg).with_context(|| format!("cannot read `{}`", arg.display()))?;
        if !meta.is_dir() {
            files.push(arg.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = fs::read_dir(arg)
            .with_context(|| format!("cannot read the folder `{}`", arg.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("json")
                })
            })
            .filter(|p| p.is_file())
            .filter(|p| out.is_none() || fs::canonicalize(p).ok() != out)
            .collect();
        if found.is_empty() {
            bail!("the folder `{}` holds no .csv or .json file", arg.display());
        }
        found.sort();
        files.extend(found);
    }
    let mut seen = Vec::new();
    files.retain(|f| {
        let key = fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    Ok(files)
}

/// The output must not replace an export: the merge would destroy one of its own inputs.
fn refuse_input_as_output(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let Ok(out_meta) = fs::metadata(out) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(meta) = fs::metadata(input) else {
            continue;
        };
        if same_file(out, &out_meta, input, &meta) {
            bail!(
                "--out `{}` is one of the exports to merge (`{}`); write the merged file elsewhere",
                out.display(),
                input.display()
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(_: &Path, a: &fs::Metadata, _: &Path, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &Path, _: &fs::Metadata, b: &Path, _: &fs::Metadata) -> bool {
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// The file's bytes, or `None` when it is larger than [`calls::MAX_EXPORT_BYTES`] (not read further).
fn read_limited(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let file = fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut bytes = Vec::new();
    file.take(calls::MAX_EXPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok((bytes.len() as u64 <= calls::MAX_EXPORT_BYTES).then_some(bytes))
}
