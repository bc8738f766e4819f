//! `lifeboat key new`: a fresh access key on stdout, stored nowhere.

use std::process::ExitCode;

use crate::access::AccessKey;
use crate::cli::KeyCommand;

pub fn run(command: &KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::New => {
            let key = AccessKey::generate()?;
            println!("{}", key.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
