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
    /// Print nothing but problems
    #[arg(long, short)]
    pub quiet: bool,
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
