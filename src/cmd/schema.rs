//! `lifeboat schema`: the JSON Schemas of the TOML files, for editors.

use std::fs;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::SchemaOptions;
use crate::scaffold::schema;

pub fn run(opts: &SchemaOptions) -> anyhow::Result<ExitCode> {
    let schemas = schema::generate();
    match &opts.out {
        Some(dir) => {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in schemas {
                let path = dir.join(name);
                fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        None => {
            // One JSON object, file name -> schema, so the output stays usable by JSON tools.
            let all: serde_json::Map<String, serde_json::Value> = schemas
                .into_iter()
                .map(|(name, text)| {
                    let value = serde_json::from_str(&text).expect("a generated schema is JSON");
                    (name.to_string(), value)
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
