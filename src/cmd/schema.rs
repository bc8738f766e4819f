//! `lifeboat schema`: the JSON Schemas of the TOML files, for editors, and of the manifest, for the
//! tools that read it.

use std::fs;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{SchemaName, SchemaOptions};
use crate::package::manifest::Manifest;
use crate::scaffold::schema;

/// File name of the manifest's schema (docs/bcp-manifest.schema.json is this, committed).
pub const MANIFEST: &str = "bcp-manifest.schema.json";

pub fn run(opts: &SchemaOptions) -> anyhow::Result<ExitCode> {
    let mut schemas = schema::generate();
    schemas.push((MANIFEST, Manifest::json_schema() + "\n"));
    if let Some(name) = opts.name {
        let file = match name {
            SchemaName::Site => schema::SITE,
            SchemaName::Entry => schema::ENTRY,
            SchemaName::Diagram => schema::DIAGRAM,
            SchemaName::Manifest => MANIFEST,
        };
        schemas.retain(|(f, _)| *f == file);
    }
    match &opts.out {
        Some(dir) => {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in schemas {
                let path = dir.join(name);
                fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        None if opts.name.is_some() => {
            for (_, text) in schemas {
                print!("{text}");
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
