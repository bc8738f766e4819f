//! `lifeboat init`: a starter project that checks and builds as it is.

use std::process::ExitCode;

use crate::cli::{InitOptions, StarterLanguage};
use crate::content::config::Language;
use crate::scaffold::starter;

pub fn run(opts: &InitOptions) -> anyhow::Result<ExitCode> {
    let (chosen, why) = match opts.language {
        Some(language) => (language, "--language".to_string()),
        None => from_locale(|name| std::env::var(name).ok()),
    };
    let language = match chosen {
        StarterLanguage::Fr => Language::Fr,
        StarterLanguage::En => Language::En,
    };
    let written = starter::write(&opts.dir, language, opts.force)?;
    println!(
        "created a starter project in {} ({} files, in {}: {why}; --language fr|en to choose):",
        opts.dir.display(),
        written.len(),
        match language {
            Language::Fr => "French",
            Language::En => "English",
        }
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

/// The starter's language from the locale, as `gettext` reads it (`LC_ALL`, then `LC_MESSAGES`, then
/// `LANG`; the first one set decides), and why: French unless it names English.
fn from_locale(var: impl Fn(&str) -> Option<String>) -> (StarterLanguage, String) {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        let Some(value) = var(name).filter(|v| !v.is_empty()) else {
            continue;
        };
        let lang = value.split(['_', '.', '@', '-']).next().unwrap_or("");
        return match lang.to_ascii_lowercase().as_str() {
            "en" => (StarterLanguage::En, format!("{name}={value}")),
            "fr" => (StarterLanguage::Fr, format!("{name}={value}")),
            _ => (
                StarterLanguage::Fr,
                format!("{name}={value} is neither English nor French"),
            ),
        };
    }
    (StarterLanguage::Fr, "no LANG set".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> StarterLanguage {
        from_locale(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .0
    }

    #[test]
    fn the_locale_chooses_the_starter_language() {
        assert_eq!(with(&[("LANG", "en_US.UTF-8")]), StarterLanguage::En);
        assert_eq!(with(&[("LANG", "fr_CA.UTF-8")]), StarterLanguage::Fr);
        assert_eq!(
            with(&[("LANG", "en_GB.UTF-8"), ("LC_ALL", "fr_FR.UTF-8")]),
            StarterLanguage::Fr,
            "LC_ALL wins"
        );
        assert_eq!(with(&[("LANG", "de_DE.UTF-8")]), StarterLanguage::Fr);
        assert_eq!(with(&[("LANG", "C.UTF-8")]), StarterLanguage::Fr);
        assert_eq!(with(&[]), StarterLanguage::Fr);
        assert_eq!(with(&[("LC_ALL", ""), ("LANG", "en")]), StarterLanguage::En);
    }
}
