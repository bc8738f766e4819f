//! The TOML files of a content folder: `site.toml`, `entry.toml` and diagram front matter.
//!
//! Every struct denies unknown keys, so a typo is an error that names the key, never silently ignored.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Language of every UI string and of `<html lang>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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

/// `site.toml`: the organisation, backup policy, contacts and environments of a Lifeboat content folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Lifeboat site.toml")]
pub struct SiteConfig {
    /// Name of the organisation or contact centre, shown on every page.
    pub name: String,
    pub language: Language,
    /// The online system employees go back to when it returns.
    #[schemars(with = "String", regex(pattern = r"^https?://"))]
    pub online_url: Spanned<String>,
    /// Default environment when `--env` is not given.
    #[schemars(with = "Option<String>")]
    pub environment: Option<Spanned<String>>,
    pub backup: Backup,
    #[serde(default)]
    pub contingency: Contingency,
    /// Environment name -> variable name -> value.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<String, Scalar>>")]
    pub environments: BTreeMap<String, BTreeMap<String, Spanned<Scalar>>>,
    /// Logo shown beside the site name: a file in the content folder (SVG, PNG, JPEG or WebP).
    #[schemars(with = "Option<String>")]
    pub logo: Option<Spanned<String>>,
    /// Accent colour (`#rrggbb`) of the light scheme: links, buttons; must reach 4.5:1 on the background.
    #[schemars(with = "Option<String>", regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub accent: Option<Spanned<String>>,
    /// Accent colour of the dark scheme (one colour cannot reach 4.5:1 on both backgrounds).
    #[schemars(with = "Option<String>", regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub accent_dark: Option<Spanned<String>>,
    /// The user theme folder `_theme/`.
    #[serde(default)]
    pub theme: ThemeConfig,
    /// Sign each bundle's manifest with Ed25519 (`bcp-manifest.toml.sig`): `[signing]`.
    pub signing: Option<Signing>,
    /// Call fields of every entry point: typed by the agent during a call (`{{ ask x }}`), shown in later
    /// steps (`{{ call.x }}`) and in the wrap-up note. Never substituted at build time.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Field>")]
    pub fields: BTreeMap<String, Spanned<Field>>,
    /// The wrap-up note the call notes panel builds.
    pub wrapup: Option<Wrapup>,
    /// The outage call log kept in the agent's browser.
    #[serde(default)]
    pub call_log: CallLog,
    /// Key groups: `[key_groups.NAME]`, one access key each, named by locked entry points'
    /// `key_groups` (docs/content-format.md).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, KeyGroup>")]
    pub key_groups: BTreeMap<Spanned<String>, KeyGroup>,
    /// `[access]`: the recovery key.
    #[serde(default)]
    pub access: AccessConfig,
}

/// `[key_groups.NAME]`: a group of people who hold one access key (`LIFEBOAT_KEY_<NAME>` at build time).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyGroup {
    /// The group's name for people, in the site's language: with `label = "Facturation"`, the key
    /// prompt says "Clé du groupe Facturation".
    pub label: String,
    /// Roles who hold the group's key (named on the prompt and in the contingency document; never the key).
    #[serde(default)]
    pub holders: Vec<String>,
}

/// `[access]`: settings of every locked entry point.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// A recovery key (`LIFEBOAT_RECOVERY_KEY`) opens every locked entry point, besides its own keys.
    #[serde(default = "no")]
    #[schemars(with = "bool")]
    pub recovery: Spanned<bool>,
    /// Roles who hold the recovery key (named in the contingency document; never the key).
    #[serde(default)]
    pub recovery_holders: Vec<String>,
}

/// `[fields.NAME]`: a value the agent types once during a call (docs/call-assistant.md).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The input's label, and the placeholder shown where the value is used while it is empty.
    pub label: String,
    /// What is typed: `text` (default), `multiline`, `number`, `phone`, `email`, `date` or `choice`.
    #[serde(default = "text_kind")]
    #[schemars(with = "FieldKind")]
    pub kind: Spanned<FieldKind>,
    /// An ECMAScript regular expression: a visible, non-blocking hint when the value does not match.
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    /// A short help text shown under the input.
    pub hint: Option<String>,
    /// The values offered, `kind = "choice"` only (required there).
    #[schemars(with = "Option<Vec<String>>")]
    pub choices: Option<Spanned<Vec<String>>>,
}

/// The kind of a call field's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    #[default]
    Text,
    Multiline,
    Number,
    Phone,
    Email,
    Date,
    Choice,
}

impl FieldKind {
    /// The value as written in TOML (and in the viewer's payload).
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Multiline => "multiline",
            FieldKind::Number => "number",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::Date => "date",
            FieldKind::Choice => "choice",
        }
    }
}

/// `[wrapup]`: the format of the wrap-up note.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wrapup {
    /// The note's text with `{{ call.x }}`, `{{ fields }}`, `{{ path }}`, `{{ end }}`, `{{ now }}`,
    /// `{{ started }}`, `{{ entry }}`, `{{ snapshot }}`, `{{ environment }}`, `{{ comment }}`; default: a
    /// note readable pasted into any CRM note field.
    #[schemars(with = "Option<String>")]
    pub template: Option<Spanned<String>>,
}

/// `[call_log]`: the record of ended calls kept in the agent's browser.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallLog {
    /// `false` turns the log off (the wrap-up note stays).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Records older than this many days are deleted when a file opens (1 to 90).
    #[serde(default = "default_keep_days")]
    #[schemars(with = "i64", range(min = 1, max = 90))]
    pub keep_days: Spanned<i64>,
    /// Where agents drop their exports (shown in the log view and the contingency document).
    pub drop: Option<String>,
}

impl Default for AccessConfig {
    fn default() -> Self {
        AccessConfig {
            recovery: no(),
            recovery_holders: Vec::new(),
        }
    }
}

fn no() -> Spanned<bool> {
    Spanned::new(0..0, false)
}

impl Default for CallLog {
    fn default() -> Self {
        CallLog {
            enabled: true,
            keep_days: default_keep_days(),
            drop: None,
        }
    }
}

fn text_kind() -> Spanned<FieldKind> {
    Spanned::new(0..0, FieldKind::Text)
}

fn yes() -> bool {
    true
}

fn default_keep_days() -> Spanned<i64> {
    Spanned::new(0..0, 7)
}

/// `[theme]`: what the user theme folder `_theme/` may do.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    /// Let `_theme/` replace the viewer's scripts and add script to, or change the
    /// Content-Security-Policy of, its templates. Only for a theme you wrote and reviewed: its code runs
    /// in every agent's browser. `check` names each such file; the manifest records the theme's SHA-256.
    #[serde(default)]
    pub trusted: bool,
}

/// The environment variable holding the secret signing key when `[signing]` names none.
pub const DEFAULT_SIGNING_KEY_ENV: &str = "LIFEBOAT_SIGNING_KEY";

/// `[signing]`: the build signs `bcp-manifest.toml` with the Ed25519 secret key held in an environment
/// variable (never in the content), and refuses to build without it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    /// Environment variable holding the secret key, base64 (`lifeboat key new-signing` makes one);
    /// default `LIFEBOAT_SIGNING_KEY`.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub key_env: Option<String>,
}

impl Signing {
    /// The variable the secret key is read from.
    pub fn key_env(&self) -> &str {
        self.key_env.as_deref().unwrap_or(DEFAULT_SIGNING_KEY_ENV)
    }
}

/// Backup policy: how often copies are made, who owns them, where they are published.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// A copy older than this many days is shown as stale.
    #[schemars(with = "i64", range(min = 1))]
    pub frequency_days: Spanned<i64>,
    /// Person responsible for the offline copies.
    pub owner: Person,
    /// Stand-in for the owner.
    pub deputy: Option<Person>,
    /// Folders where copies are published (shown to agents; an empty list is a warning).
    #[serde(default)]
    pub locations: Vec<String>,
    /// Review policy: a diagram not reviewed (front matter `reviewed`) within this many days of the
    /// snapshot is a warning. Default: no policy.
    #[schemars(with = "Option<i64>", range(min = 1))]
    pub review_days: Option<Spanned<i64>>,
}

/// A person to reach: name required, email and phone optional.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Phone number, as dialled.
    #[serde(default)]
    pub phone: String,
}

/// Who to call during an outage (listed in the contingency document).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contingency {
    /// Contacts, as `[[contingency.contacts]]` tables.
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// A contingency contact: name required, the rest optional.
// The manifest (`package::manifest`) lists these as they are, so the two cannot drift apart.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name of the person or team.
    pub name: String,
    /// What they do during an outage.
    #[serde(default)]
    pub role: String,
    /// Phone number, as dialled.
    #[serde(default)]
    pub phone: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
}

/// An environment value: written as a string, or a number or boolean (a queue id, say).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
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

/// Who may open an entry point's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Anyone who has the file.
    #[default]
    Open,
    /// Locked: the procedures are encrypted and open only with the key.
    Key,
}

impl Access {
    /// The value as written in entry.toml and the manifest (what serde reads and writes).
    pub fn name(self) -> &'static str {
        match self {
            Access::Open => "open",
            Access::Key => "key",
        }
    }
}

/// `entry.toml`: one entry point, built into one HTML file named after its folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Lifeboat entry.toml")]
pub struct EntryConfig {
    /// Title of the entry point, shown on its home page.
    pub title: String,
    /// One line shown under the title.
    #[serde(default)]
    pub description: String,
    /// The diagram an employee lands on first (its file name without `.md`).
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    pub start: Spanned<String>,
    #[serde(default = "open_access")]
    #[schemars(with = "Access")]
    pub access: Spanned<Access>,
    /// Locked entry points only: show a neutral title instead of `title` until the key is given.
    #[serde(default)]
    pub hide_title: bool,
    /// Locked entry points only: roles that hold the key (named in the contingency document; never the key).
    #[serde(default)]
    pub key_holders: Vec<String>,
    /// Locked entry points only: the key groups (`[key_groups.NAME]` of site.toml) whose keys open it;
    /// without it, the build's one access key (`LIFEBOAT_ACCESS_KEY`) does.
    #[schemars(with = "Option<Vec<String>>")]
    pub key_groups: Option<Spanned<Vec<Spanned<String>>>>,
    /// Call fields of this entry point only (a name may not repeat one of site.toml's).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Field>")]
    pub fields: BTreeMap<String, Spanned<Field>>,
}

fn open_access() -> Spanned<Access> {
    // A missing key has no place in the file; 0..0 points at its top.
    Spanned::new(0..0, Access::Open)
}

/// The `+++` TOML front matter of a diagram file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Lifeboat diagram front matter")]
pub struct FrontMatter {
    /// Title of the diagram.
    pub title: String,
    /// One line shown on the home page.
    #[serde(default)]
    pub description: String,
    /// Node id to start at; default: the first node.
    #[schemars(with = "Option<String>", regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    pub start: Option<Spanned<String>>,
    /// Words shown on the home page and used by search.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who keeps this diagram up to date (a team or a person), shown with its review date.
    pub owner: Option<String>,
    /// When the diagram was last reviewed, a TOML date (`reviewed = 2026-10-15`); `check` warns when it
    /// is older than `[backup] review_days`.
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub reviewed: Option<Spanned<toml::value::Datetime>>,
}

/// Setting names that announce a secret (compared lower case, `-` read as `_`).
const SECRET_NAMES: &[&str] = &[
    "key",
    "access_key",
    "accesskey",
    "lifeboat_key",
    "encryption_key",
    "secret_key",
    "secret",
    "passkey",
    "pass_key",
    "password",
    "passwd",
    "passphrase",
];

/// Whether a setting's name announces a secret (compared lower case, `-` read as `_`). Such a setting is
/// never an ordinary unknown key: `check::secrets` reports it, saying why.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('-', "_");
    SECRET_NAMES.contains(&name.as_str())
}
