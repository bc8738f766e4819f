//! `lifeboat key new`: a fresh access key on stdout, stored nowhere; `lifeboat key new-signing`: a fresh
//! Ed25519 key pair for signing manifests.

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
        KeyCommand::NewSigning => {
            let key = crate::package::signing::generate()
                .map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
            let public = key.verifying_key();
            println!("secret {}", crate::package::signing::encode_secret(&key));
            println!("public {}", crate::package::signing::encode_public(&public));
            println!(
                "fingerprint {}",
                crate::package::signing::fingerprint(&public)
            );
            eprintln!(
                "Keep the secret key in the build job's {} variable only; give the public key to IT (`lifeboat verify DIR --public-key KEY`).",
                crate::package::signing::DEFAULT_KEY_ENV
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
