//! Command-line interface: one options struct per command.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "lifeboat",
    version,
    about = "Builds self-contained offline HTML copies of contact-centre procedures",
    long_about = "Builds self-contained offline HTML copies of contact-centre procedures.\n\n\
        Each entry point of the content folder becomes one HTML file that opens from disk (file://) in any \
        browser, with no network and nothing to install."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build one HTML file per entry point into the output folder
    Build(BuildOptions),
    /// Report every problem in the content without writing anything
    Check(CheckOptions),
    /// Build in memory and serve on 127.0.0.1, rebuilding and reloading open pages on every save
    #[command(
        after_help = "Serves on 127.0.0.1 only. Open pages reload when a save makes a new build; while the content has errors, they keep showing the last good build with the errors over it. Ctrl-C stops."
    )]
    Serve(ServeOptions),
    /// Create a starter project: content folder, JSON Schemas, .gitignore and a CI workflow
    Init(InitOptions),
    /// Add an entry point or a diagram to a content folder
    #[command(subcommand)]
    New(NewCommand),
    /// Write the JSON Schemas of site.toml, entry.toml and diagram front matter (for editors)
    Schema(SchemaOptions),
    /// Print a shell completion script to stdout
    Completions(CompletionsOptions),
    /// Print the manual page (roff) to stdout
    Man,
    /// Count nodes, decisions, end points, images and paths per entry point and diagram
    Stats(StatsOptions),
    /// Turn a diagram written in another format into a Lifeboat diagram
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check a bundle folder, share or zip against its manifest: checksums, missing or extra files,
    /// staleness, and (with --content) whether the sources changed since the snapshot
    #[command(
        after_help = "Exit codes: 0 all good; 1 problems found (damaged, missing or extra file, stale, behind the sources, a publish in progress for longer than --in-progress-max, differs from a rebuild, missing or bad signature); 2 unusable input (no manifest, unreadable, unknown format, content with errors, unusable public key)."
    )]
    Verify(VerifyOptions),
    /// Copy a verified bundle to a file share atomically, keeping the previous bundles in SHARE/archive
    #[command(
        after_help = "One publish at a time per share: a publish holds SHARE/.lifeboat-publish/lock.toml (its host, pid and start time) from start to end; another one waits for it with --wait, or is refused. A lock is stale, and taken over with a warning, when the process that took it on this machine is gone, or when it is older than 1 hour (a lock from another machine is judged by its age only).\n\nThe share's outage notice (lifeboat notice) is kept: the new bundle's index.html and manifest get it (a signed bundle is signed again, with the key in LIFEBOAT_SIGNING_KEY or --signing-key-env; refused without it).\n\nA bundle older than the share's is refused unless --allow-older. To roll back: lifeboat publish SHARE/archive/<snapshot> --to SHARE --allow-older\n\nWhen an entry point is locked with a key the share's bundle did not lock it with (it was open, or had another key), its file is removed from every bundle in SHARE/archive/ where it is not locked with the new key, with the zip that holds it, unless --keep-old-keys. Copies outside the share are out of reach.\n\nExit codes: 0 published (or the share already held the bundle); 1 refused (the bundle has problems, another publish holds the share, an older snapshot); 2 the share cannot be written (a file in use, an unusable journal or manifest on the share)."
    )]
    Publish(PublishOptions),
    /// Set, replace or clear the outage notice at the top of a share's launcher (index.html)
    #[command(
        after_help = "lifeboat notice SHARE \"Le CRM est indisponible depuis 9h10. Utilisez cette copie.\" --by \"Cellule de continuité\"\nlifeboat notice SHARE --restored \"Service rétabli : retournez sur l'outil habituel.\"\nlifeboat notice SHARE --clear\n\nRewrites the share's index.html and the [notice] section of its bcp-manifest.toml (and its signature), as a publish does: under the share's publish lock, staged, renamed into place manifest last, so the share verifies at every moment. Entry point files and the zip are not touched (the zip keeps the launcher without the notice). The time shown is now, in UTC (LIFEBOAT_NOW overrides it). publish keeps the share's notice.\n\nExit codes: 0 done (or the share already had this notice); 1 refused, nothing changed (a text too long or with control characters, a share that does not verify, a signed share without its signing key, another publish holds the share, a launcher without a notice slot); 2 the share cannot be used (no bundle there, unreadable, not writable)."
    )]
    Notice(NoticeOptions),
    /// Access keys for locked entry points (access = "key")
    #[command(subcommand)]
    Key(KeyCommand),
    /// The outage call log that agents export from the pages' call log view
    #[command(subcommand)]
    Calls(CallsCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum CallsCommand {
    /// Merge agents' call log exports (CSV or JSON, in any mix) into one file: one record per call,
    /// sorted by start time, one column per field
    #[command(
        after_help = "A record in several exports is kept once; if the copies differ, the one from the first file given is kept and a warning names both files. Nothing is written when an export is damaged, is not a call log export, or comes from another site than the others.\n\nExit codes: 0 merged; 1 a problem in an export (named with its file and line), nothing written; 2 the command cannot run (a file or folder that cannot be read, --out is one of the exports, the output cannot be written)."
    )]
    Merge(CallsMergeOptions),
}

#[derive(Debug, Clone, clap::Args)]
pub struct CallsMergeOptions {
    /// Exports to merge (appels-….csv, appels-….json), or folders: every .csv and .json file in them
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// File to write, replaced in one step if it exists (never one of the exports); `-` for stdout
    #[arg(long, short, value_name = "PATH")]
    pub out: PathBuf,
    /// Output format [default: json when --out ends in .json, else csv]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<CallsFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallsFormat {
    /// As the browser exports it: UTF-8 with a byte order mark, RFC 4180, CRLF
    Csv,
    /// The JSON export format (format "lifeboat-calls", version 1)
    Json,
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeyCommand {
    /// Print a new random access key (130 bits, with a check symbol); it is stored nowhere
    #[command(
        after_help = "Give the key to `lifeboat build` in the LIFEBOAT_ACCESS_KEY environment variable or with --key-file, and to the key holders by a separate channel (read it aloud: case, spaces and dashes do not matter). With key groups ([key_groups.NAME] in site.toml), make one key per group, and give each in LIFEBOAT_KEY_<NAME> or with --key-file NAME=PATH; the recovery key ([access] recovery = true) in LIFEBOAT_RECOVERY_KEY or with --key-file recovery=PATH. Every key must differ.\n\nRotating (a new key, a rebuild, `lifeboat publish`; for one group, a new key for that group only: the other groups' keys keep working): the new files open with the new key only, but files built with the old key keep opening with it; they cannot be changed after the fact. `lifeboat publish` withdraws them from the share's archive/ (unless --keep-old-keys), as it does the open copies of an entry point that became locked. It cannot withdraw copies outside the share (downloads, USB keys, laptops, mail, other shares, backups and snapshots of the share): they still open with the old key."
    )]
    New,
    /// Print a new Ed25519 key pair for signing bundles (`[signing]` in site.toml); it is stored nowhere
    #[command(
        name = "new-signing",
        after_help = "Prints three lines: `secret KEY`, `public KEY` and `fingerprint HEX`. Put the secret key in the build job's LIFEBOAT_SIGNING_KEY variable (or the one [signing] key_env names) and nowhere else; give the public key to whoever checks copies: `lifeboat verify DIR --public-key KEY`."
    )]
    NewSigning,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyOptions {
    /// Bundle folder (holds bcp-manifest.toml): a build output or a share; or the bundle's zip
    #[arg(value_name = "DIR|ZIP")]
    pub dir: PathBuf,
    /// Content folder to compare with: reports entry points whose sources changed since the snapshot
    #[arg(long, value_name = "CONTENT_DIR")]
    pub content: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check as if it were this time: RFC 3339 (2025-12-24T08:00:00Z) or seconds since 1970; also
    /// read from LIFEBOAT_NOW ("will the share be stale on Monday?")
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Rebuild this content folder (in memory, at the manifest's snapshot time and environment) and
    /// compare every file byte for byte with the bundle's
    #[arg(long, value_name = "CONTENT_DIR")]
    pub rebuild: Option<PathBuf>,
    /// With --rebuild: the previous copy the bundle was built against (`build --previous`), needed
    /// when the bundle says what changed since one
    #[arg(long, value_name = "PATH", requires = "rebuild")]
    pub previous: Option<PathBuf>,
    /// Check the manifest's Ed25519 signature (bcp-manifest.toml.sig) with this public key (base64),
    /// or with the key in this file; a missing or bad signature is a problem (exit 1)
    #[arg(long, value_name = "KEY|FILE")]
    pub public_key: Option<String>,
    /// A publish still in progress after this long has stopped half-way: report it (exit 1).
    /// Seconds (600), or a number with s, m or h (90s, 10m, 1h)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub in_progress_max: i64,
    /// Warn (exit 0, a `warning` line and JSON field) when the copy goes stale within this many days
    #[arg(long, value_name = "DAYS")]
    pub warn_days: Option<i64>,
    /// Also print the monthly drill checklist of the contingency document (section 12), with what
    /// verify checked itself marked done ([x]) or failing ([!]) and the rest left to do ([ ]); a folder
    /// only
    #[arg(long)]
    pub drill: bool,
}

/// `600`, `600s`, `10m`, `1h`: a whole number of seconds, minutes or hours, as seconds.
pub fn parse_duration(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw, ""),
    };
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => 0,
    };
    digits
        .parse::<i64>()
        .ok()
        .filter(|_| scale > 0)
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| {
            format!("`{raw}` is not a duration: write seconds (600) or a whole number with s, m or h (90s, 10m, 1h)")
        })
}

#[derive(Debug, Clone, clap::Args)]
pub struct PublishOptions {
    /// Bundle folder to publish (the output of `lifeboat build`)
    pub dir: PathBuf,
    /// Share folder to publish into (created if missing)
    #[arg(long, value_name = "SHARE")]
    pub to: PathBuf,
    /// How many previous bundles to keep under SHARE/archive
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub keep: usize,
    /// If another publish to SHARE is running, wait up to this long for it to finish instead of refusing
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    /// Install a bundle older than the one on the share (a rollback: `lifeboat publish
    /// SHARE/archive/<snapshot> --to SHARE --allow-older`)
    #[arg(long)]
    pub allow_older: bool,
    /// Keep the archived copies of an entry point that became locked or changed key (by default they
    /// are removed from SHARE/archive, since they open without the new key)
    #[arg(long)]
    pub keep_old_keys: bool,
    /// Environment variable holding the secret signing key: needed only to keep the share's notice
    /// (`lifeboat notice`) in a signed bundle, whose manifest it changes
    #[arg(long, value_name = "VAR", default_value = crate::content::config::DEFAULT_SIGNING_KEY_ENV)]
    pub signing_key_env: String,
    /// Print nothing but problems
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct NoticeOptions {
    /// The share (a bundle folder) whose launcher shows the notice
    #[arg(value_name = "SHARE")]
    pub share: PathBuf,
    /// The notice: what is down since when, what to use, when it should be back (at most 600
    /// characters; line breaks are kept)
    #[arg(
        value_name = "TEXT",
        required_unless_present = "clear",
        conflicts_with = "clear"
    )]
    pub text: Option<String>,
    /// The outage is over: the notice says so, with a link back to the online system (online_url)
    #[arg(long, conflicts_with = "clear")]
    pub restored: bool,
    /// Remove the notice: the launcher and manifest are the ones the build wrote again
    #[arg(long)]
    pub clear: bool,
    /// Who sets the notice (a name or a team), shown with it
    #[arg(long, value_name = "NAME", conflicts_with = "clear")]
    pub by: Option<String>,
    /// If a publish to SHARE is running, wait up to this long for it to finish instead of refusing
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    /// Environment variable holding the secret signing key, needed when the share's manifest is signed
    /// (the one [signing] key_env names for the build)
    #[arg(long, value_name = "VAR", default_value = crate::content::config::DEFAULT_SIGNING_KEY_ENV)]
    pub signing_key_env: String,
    /// Print nothing but problems
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BuildOptions {
    /// Content folder (holds site.toml)
    #[arg(default_value = "content")]
    pub content_dir: PathBuf,
    /// Output folder; replaced as a whole when the build succeeds
    #[arg(long, short, default_value = "dist")]
    pub out: PathBuf,
    /// Environment whose variable values the bundle carries (default: `environment` in site.toml)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// File holding the access key for locked entry points (else read from LIFEBOAT_ACCESS_KEY); GROUP=PATH
    /// for key group GROUP's key (else LIFEBOAT_KEY_<GROUP>), recovery=PATH for the recovery key (else
    /// LIFEBOAT_RECOVERY_KEY); repeat it for each key
    #[arg(long, value_name = "[GROUP=]PATH")]
    pub key_file: Vec<String>,
    /// Rebuild every file instead of reusing unchanged ones from the previous output
    #[arg(long)]
    pub no_cache: bool,
    /// The copy to say what changed since: a bundle folder, its zip, or a share written by `publish`
    /// (default: the previous build in --out, or for the same snapshot what that build compared with)
    #[arg(long, value_name = "PATH")]
    pub previous: Option<PathBuf>,
    /// Compare with no previous copy (the files say nothing of what changed)
    #[arg(long, conflicts_with = "previous")]
    pub no_previous: bool,
    /// Print nothing but problems
    #[arg(long, short)]
    pub quiet: bool,
    /// Print where the time went, stage by stage (load, check, render, inline, seal, documents, zip,
    /// fsync), on stderr
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// Content folder (holds site.toml)
    #[arg(default_value = "content")]
    pub content_dir: PathBuf,
    /// Port on 127.0.0.1 to serve on
    #[arg(long, short, default_value_t = 4000)]
    pub port: u16,
    /// Environment whose variable values the pages carry (default: `environment` in site.toml)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Show what changed since this copy (a bundle folder, its zip, or a share), as `build --previous`
    #[arg(long, value_name = "PATH")]
    pub previous: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckOptions {
    /// Content folder (holds site.toml)
    #[arg(default_value = "content")]
    pub content_dir: PathBuf,
    /// Environment to check with (default: `environment` in site.toml)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format of the diagnostics
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct InitOptions {
    /// Folder to create the project in (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Language of the starter texts and of the pages [default: from LC_ALL, LC_MESSAGES or LANG when
    /// they name English or French, else French]
    #[arg(long, value_enum)]
    pub language: Option<StarterLanguage>,
    /// Write into a folder that is not empty, replacing files of the same name
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StarterLanguage {
    Fr,
    En,
}

#[derive(Debug, Clone, Subcommand)]
pub enum NewCommand {
    /// Create ID/entry.toml and a first diagram ID/start.md
    Entry(NewEntryOptions),
    /// Create ENTRY/ID.md: a diagram with a start node and an end node
    Diagram(NewDiagramOptions),
}

#[derive(Debug, Clone, clap::Args)]
pub struct NewEntryOptions {
    /// Entry point id (letters, digits, `-`, `_`): the folder name and the HTML file name
    pub id: String,
    /// Content folder (holds site.toml)
    #[arg(long, default_value = "content", value_name = "DIR")]
    pub content: PathBuf,
    /// Title (default: made from the id)
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct NewDiagramOptions {
    /// ENTRY/ID: the entry point folder and the diagram id (letters, digits, `-`, `_`)
    #[arg(value_name = "ENTRY/ID")]
    pub path: String,
    /// Content folder (holds site.toml)
    #[arg(long, default_value = "content", value_name = "DIR")]
    pub content: PathBuf,
    /// Title (default: made from the id)
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SchemaOptions {
    /// Folder to write the schemas into (default: print them to stdout, separated by their names)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsOptions {
    /// Shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, clap::Args)]
pub struct StatsOptions {
    /// Content folder (holds site.toml)
    #[arg(default_value = "content")]
    pub content_dir: PathBuf,
    /// Environment to load with (default: `environment` in site.toml)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// Import a Mermaid flowchart (`flowchart`/`graph`) as a diagram
    Mermaid(ImportMermaidOptions),
    /// Import a draw.io (diagrams.net) file: each page a diagram, shapes steps, arrows answers
    #[command(
        after_help = "A file of one page is written to ENTRY/ID.md; with several pages, each page is written to ENTRY/ID-PAGE.md (PAGE: the page's name as an id), unless --page picks one. Layout, styles and images are not imported.\n\nExit codes: 0 imported (warnings on stderr); 1 the file cannot be read (the message names the file and line, and the page and cell); 2 the command cannot run (unreadable file, no content folder or entry point, no such page, a target exists without --force)."
    )]
    Drawio(ImportDrawioOptions),
    /// Import a Twine story (Twee 3, or Twine 2 HTML): each passage a step, its closing links answers
    #[command(
        after_help = "Story-format code (Harlowe, SugarCube, Chapbook, Snowman macros and variables) is dropped with a warning naming its line; the story's JavaScript and stylesheets are never imported.\n\nExit codes: 0 imported (warnings on stderr); 1 the story cannot be read (the message names the file and line); 2 the command cannot run (unreadable file, no content folder or entry point, target exists without --force)."
    )]
    Twine(ImportTwineOptions),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportTwineOptions {
    /// Twine story: Twee 3 (.twee, .tw) or Twine 2 HTML (archive or published story)
    pub file: PathBuf,
    /// ENTRY/ID: where to write the diagram (ENTRY/ID.md in the content folder)
    #[arg(long, value_name = "ENTRY/ID")]
    pub into: String,
    /// Content folder (holds site.toml)
    #[arg(long, default_value = "content", value_name = "DIR")]
    pub content: PathBuf,
    /// Diagram title (default: the story's title, else made from the id)
    #[arg(long)]
    pub title: Option<String>,
    /// Replace ENTRY/ID.md if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportDrawioOptions {
    /// draw.io file (.drawio or .xml; compressed or plain)
    pub file: PathBuf,
    /// ENTRY/ID: where to write the diagram (ENTRY/ID.md, or ENTRY/ID-PAGE.md for each page)
    #[arg(long, value_name = "ENTRY/ID")]
    pub into: String,
    /// Content folder (holds site.toml)
    #[arg(long, default_value = "content", value_name = "DIR")]
    pub content: PathBuf,
    /// Import only this page (its name, or its number from 1)
    #[arg(long, value_name = "NAME")]
    pub page: Option<String>,
    /// Diagram title (default: the page's name, else made from the id)
    #[arg(long)]
    pub title: Option<String>,
    /// Replace the target files if they exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportMermaidOptions {
    /// Mermaid file (.mmd, or Markdown holding one ```mermaid block)
    pub file: PathBuf,
    /// ENTRY/ID: where to write the diagram (ENTRY/ID.md in the content folder)
    #[arg(long, value_name = "ENTRY/ID")]
    pub into: String,
    /// Content folder (holds site.toml)
    #[arg(long, default_value = "content", value_name = "DIR")]
    pub content: PathBuf,
    /// Diagram title (default: the flowchart's `title`, else made from the id)
    #[arg(long)]
    pub title: Option<String>,
    /// Replace ENTRY/ID.md if it exists
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_are_seconds_or_a_number_with_a_unit() {
        assert_eq!(parse_duration("600"), Ok(600));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("10m"), Ok(600));
        assert_eq!(parse_duration("2h"), Ok(7200));
        assert_eq!(parse_duration("0"), Ok(0));
        for bad in [
            "",
            "m",
            "10 m",
            "1.5m",
            "-5",
            "10d",
            "10mm",
            "99999999999999999999h",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains("not a duration"), "{bad}: {err}");
        }
    }
}
