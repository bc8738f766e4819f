//! `lifeboat init`: a starter project that checks and builds as it is.

use std::process::ExitCode;

use crate::cli::{InitOptions, StarterLanguage};
use crate::content::config::Language;
use crate::scaffold::starter;

pub fn run(opts: &InitOptions) -> anyhow::Result<ExitCode> {
    let language = match opts.language {
        StarterLanguage::Fr => Language::Fr,
        StarterLanguage::En => Language::En,
    };
    let written = starter::write(&opts.dir, language, opts.force)?;
    println!(
        "created a starter project in {} ({} files):",
        opts.dir.display(),
        written.len()
    );
    for path in &written {
        println!("  {}", path.display());
    }
    let cd = if opts.dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!("  cd {}\n", opts.dir.display())
    };
    println!("next:\n{cd}  lifeboat check      # every problem in content/\n  lifeboat build      # content/ -> dist/");
    Ok(ExitCode::SUCCESS)
}
