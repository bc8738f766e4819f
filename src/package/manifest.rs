//! `bcp-manifest.toml`: the machine-readable record of a bundle (what was built, from which revision,
//! checksums, backup policy, environment, access). Never holds a secret or a variable's value.
//! The format is documented in docs/manifest.md; its JSON Schema is generated from these types.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::check::Checked;
use crate::content::config::{Access, Contact, Person};
use crate::content::{Entry, Project};

pub const FILE_NAME: &str = "bcp-manifest.toml";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Version of this format; readers refuse versions they do not know.
    pub format_version: u32,
    pub generator: Generator,
    /// The organisation (`name` in site.toml).
    pub site: String,
    /// When the content was taken (RFC 3339, UTC).
    pub snapshot: String,
    /// The same instant in seconds since 1970.
    pub snapshot_epoch: i64,
    pub source: Source,
    pub environment: EnvironmentInfo,
    pub backup: BackupPolicy,
    #[serde(default)]
    pub contacts: Vec<ContactInfo>,
    /// One per entry point file.
    pub entries: Vec<EntryRecord>,
    /// Other files of the bundle (contingency document, launcher), with their checksums.
    #[serde(default)]
    pub documents: Vec<FileRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Git commit of the content, when it was in a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// True when the content folder had uncommitted changes at build time.
    pub dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentInfo {
    /// The environment whose values the bundle carries; absent when the site defines none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Names (never values) of the variables the content uses.
    #[serde(default)]
    pub variables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPolicy {
    pub frequency_days: i64,
    /// Date (YYYY-MM-DD) after which this bundle is stale and must be republished.
    pub next_due: String,
    pub owner: PersonInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deputy: Option<PersonInfo>,
    #[serde(default)]
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInfo {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInfo {
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    pub id: String,
    pub title: String,
    /// File name inside the bundle folder.
    pub file: String,
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// `open`, or `key` for a locked entry point.
    pub access: String,
    pub diagrams: usize,
    pub nodes: usize,
    /// SHA-256 over the entry point's source files (see `source_hash`): compared by `verify --content`.
    pub source_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

impl FileRecord {
    pub fn of(file: &str, bytes: &[u8]) -> FileRecord {
        FileRecord {
            file: file.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

impl From<&Person> for PersonInfo {
    fn from(p: &Person) -> Self {
        PersonInfo {
            name: p.name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
        }
    }
}

impl From<&Contact> for ContactInfo {
    fn from(c: &Contact) -> Self {
        ContactInfo {
            name: c.name.clone(),
            role: c.role.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
        }
    }
}

pub fn access_name(access: Access) -> &'static str {
    match access {
        Access::Open => "open",
        Access::Key => "key",
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hash of what an entry point is built from: site.toml, every file under the entry's folder (by relative
/// path and content), and the content hashes of the images it shows (which may live elsewhere). Stable
/// across machines and checkouts; independent of the build time and of any access key.
pub fn source_hash(project: &Project, entry: &Entry, checked: &Checked) -> String {
    let mut hasher = Sha256::new();
    let mut add = |name: &str, bytes: &[u8]| {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    add(
        "site.toml",
        &std::fs::read(project.root.join("site.toml")).unwrap_or_default(),
    );
    let dir = project.root.join(&entry.id);
    for item in WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if item.file_type().is_file() {
            let rel = relative_name(&project.root, item.path());
            add(&rel, &std::fs::read(item.path()).unwrap_or_default());
        }
    }
    let mut image_ids: Vec<&String> = entry
        .diagrams
        .iter()
        .flat_map(|d| {
            checked
                .image_refs
                .iter()
                .filter(move |((file, _), _)| *file == d.file)
                .map(|(_, id)| id)
        })
        .collect();
    image_ids.sort();
    image_ids.dedup();
    for id in image_ids {
        add("image", id.as_bytes());
    }
    format!("{:x}", hasher.finalize())
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Manifest {
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_toml(text: &str) -> Result<Manifest, toml::de::Error> {
        toml::from_str(text)
    }

    /// The manifest's JSON Schema (docs/bcp-manifest.schema.json is this, committed).
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(&schemars::schema_for!(Manifest)).unwrap_or_default()
    }
}
