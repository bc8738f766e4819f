//! The TOML files of a content folder: `site.toml`, `entry.toml` and diagram front matter.
//!
//! Every struct denies unknown keys, so a typo is an error that names the key, never silently ignored.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fr,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub language: Language,
    /// The online system employees go back to when it returns.
    pub online_url: Spanned<String>,
    /// Default environment when `--env` is not given.
    pub environment: Option<Spanned<String>>,
    pub backup: Backup,
    #[serde(default)]
    pub contingency: Contingency,
    /// Environment name -> variable name -> value.
    #[serde(default)]
    pub environments: BTreeMap<String, BTreeMap<String, Spanned<Scalar>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub frequency_days: Spanned<i64>,
    pub owner: Person,
    pub deputy: Option<Person>,
    #[serde(default)]
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contingency {
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// An environment value: written as a string, or a number or boolean (a queue id, say).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::String(s) => f.write_str(s),
            Scalar::Integer(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Boolean(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    #[default]
    Open,
    Key,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The diagram an employee lands on first.
    pub start: Spanned<String>,
    #[serde(default = "open_access")]
    pub access: Spanned<Access>,
}

fn open_access() -> Spanned<Access> {
    // A missing key has no place in the file; 0..0 points at its top.
    Spanned::new(0..0, Access::Open)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Node id to start at; default: the first node.
    pub start: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
}
