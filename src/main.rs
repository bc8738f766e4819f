use std::process::ExitCode;

use clap::Parser;
use lifeboat::cli::{Cli, Command};
use lifeboat::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(opts) => cmd::build::run(opts),
        Command::Check(opts) => cmd::check::run(opts),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
