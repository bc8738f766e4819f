use std::process::ExitCode;

use clap::Parser;

// The command layer lives in the binary: the library cannot call a command (the compiler forbids it).
// `crate::content`, `crate::verify`… in the commands are the library's modules.
#[allow(unused_imports)]
use lifeboat::*;

mod cli;
mod cmd;

use cli::{Cli, Command};

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
        Command::Notice(opts) => cmd::notice::run(opts),
        Command::Key(command) => cmd::key::run(command),
        Command::Calls(command) => cmd::calls::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each cause once: most messages already end with their OS error
/// (`cannot write `x`: No such file or directory (os error 2)`), which is also their source.
fn error_chain(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
