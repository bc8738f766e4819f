//! JSON Schemas of the TOML files, generated from the types that read them, so editors (Taplo, "Even
//! Better TOML") complete keys and flag typos the same way `lifeboat check` does.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

use crate::content::config::{EntryConfig, FrontMatter, SiteConfig};

/// File names of the schemas, as written by `lifeboat schema` and `lifeboat init`.
pub const SITE: &str = "site.schema.json";
pub const ENTRY: &str = "entry.schema.json";
pub const DIAGRAM: &str = "diagram.schema.json";

/// Every schema: (file name, pretty JSON ending with a newline).
pub fn generate() -> Vec<(&'static str, String)> {
    vec![
        (SITE, render::<SiteConfig>()),
        (ENTRY, render::<EntryConfig>()),
        (DIAGRAM, render::<FrontMatter>()),
    ]
}

fn render<T: JsonSchema>() -> String {
    // Draft 7: the newest draft Taplo and most editors understand.
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}
