use std::process::ExitCode;

use clap::Parser;
use lifeboat::cli::{Cli, Command};
use lifeboat::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(opts) => cmd::build::run(opts),
        Command::Check(opts) => cmd::check::run(opts),
        Command::Serve(opts) => cmd::serve::run(opts),
        Command::Init(opts) => cmd::init::run(opts),
        Command::New(command) => cmd::new::run(command),
        Command::Schema(opts) => cmd::schema::run(opts),
        Command::Completions(opts) => cmd::completions::run(opts),
        Command::Man => cmd::completions::man(),
        Command::Stats(opts) => cmd::stats::run(opts),
        Command::Import(command) => cmd::import::run(command),
        Command::Verify(opts) => cmd::verify::run(opts),
        Command::Publish(opts) => cmd::publish::run(opts),
        Command::Key(command) => cmd::key::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
