//! Locked entry points (`access = "key"` in entry.toml): the access key, where a build gets it, the
//! encryption of an entry point's payload and images, and the rules that keep keys out of the content.
//!
//! A locked file holds the page shell, the style, the viewer script, a public payload (site name, entry
//! title unless hidden, language, UI strings, snapshot and backup information) and one
//! `<script id="lb-locked">` element with the sealed `{"data": <payload>, "images": {id: [mime, base64]}}`.
//! The format is described in docs/viewer-contract.md.

pub mod groups;
pub mod key_id;
pub mod seal;
pub mod slots;

/// The key format lives in [`crate::key`] (check needs it too, to refuse keys written in the content).
pub use crate::key;

use base64::Engine;

pub use crate::key::{AccessKey, KeyError};

use crate::check::images::ImageStore;

use crate::inline::{self, Assets, InlineError};
use crate::render::RenderedEntry;

/// Environment variable `lifeboat build` reads the key from.
pub const KEY_ENV: &str = "LIFEBOAT_ACCESS_KEY";

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(
        "{} locked (access = \"key\") but no access key was given\n  \
         help: pass the key in the {KEY_ENV} environment variable or with `--key-file PATH`; \
         make one with `lifeboat key new`",
        locked_list(.0)
    )]
    NoKey(Vec<String>),
    #[error("the access key from {from} cannot be used: {source}")]
    BadKey {
        from: String,
        #[source]
        source: KeyError,
    },
    #[error("key file `{path}` cannot be read: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("key file `{0}` is inside the content folder; keep keys out of the content")]
    KeyFileInContent(String),
    #[error("{0} was given twice (in its environment variable and with --key-file, or with two --key-file); give it one way only")]
    TwoKeys(String),
    #[error("{0}")]
    #[allow(clippy::enum_variant_names)]
    MissingKeys(MissingList),
    #[error("--key-file names key group `{name}`, which site.toml does not declare\n  help: {hint}declare it as `[key_groups.{name}]`, or give the key of another group as `--key-file GROUP=PATH` (a path that starts like `name=` is written `./name=…`)")]
    UnknownGroup { name: String, hint: String },
    #[error(
        "{0} and {1} are the same key; each group needs a key of its own (`lifeboat key new`)"
    )]
    SameKey(String, String),
    #[error("locking entry point `{0}`: {1}")]
    Seal(String, seal::SealError),
    #[error(transparent)]
    Inline(#[from] InlineError),
}

fn locked_list(ids: &[String]) -> String {
    let verb = if ids.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", entry_list(ids))
}

/// "entry point `a`", "entry points `a`, `b`".
fn entry_list(ids: &[String]) -> String {
    let names: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match names.len() {
        1 => format!("entry point {}", names[0]),
        _ => format!("entry points {}", names.join(", ")),
    }
}

/// Missing keys, one message each, shown one per line.
#[derive(Debug)]
pub struct MissingList(pub Vec<String>);

impl std::fmt::Display for MissingList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\nerror: "))
    }
}

/// The plaintext of a locked entry point: the full payload and every image it shows.
pub fn plaintext(rendered: &RenderedEntry, images: &ImageStore) -> std::io::Result<String> {
    let mut out = String::with_capacity(rendered.data_json.len() + 64);
    out.push_str("{\"data\":");
    out.push_str(&rendered.data_json);
    out.push_str(",\"images\":{");
    let mut first = true;
    for id in &rendered.images {
        let Some(image) = images.get(id) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        // Ids are hex digits and MIME types fixed strings: nothing to escape.
        out.push_str(&format!("\"{}\":[\"{}\",\"", image.id, image.mime));
        base64::engine::general_purpose::STANDARD.encode_string(image.read()?, &mut out);
        out.push_str("\"]");
    }
    out.push_str("}}");
    Ok(out)
}

/// How a build seals its locked entry points: the one access key of the implicit group in format 1
/// (`seal`, what builds before key groups wrote, so a user theme's own unlock.js keeps opening them), or
/// key slots (`slots`, format 2) as soon as a file has named groups or a recovery key.
pub struct Sealer<'a> {
    pub ring: &'a groups::KeyRing,
    /// `None` when no file needs slots.
    pub wrapping: Option<slots::Wrapping>,
}

impl<'a> Sealer<'a> {
    /// Derives the slots' wrapping keys once, when some locked file of `holders_per_entry` needs slots.
    pub fn new(
        ring: &'a groups::KeyRing,
        holders_per_entry: impl IntoIterator<Item = Vec<groups::Holder>>,
    ) -> Result<Sealer<'a>, AccessError> {
        let needs_slots = holders_per_entry.into_iter().any(|h| uses_slots(&h));
        let wrapping = if needs_slots {
            Some(
                slots::Wrapping::new(ring)
                    .map_err(|e| AccessError::Seal("(key derivation)".into(), e))?,
            )
        } else {
            None
        };
        Ok(Sealer { ring, wrapping })
    }
}

/// Whether a file opened by `holders` is written with key slots (format 2).
pub fn uses_slots(holders: &[groups::Holder]) -> bool {
    !matches!(holders, [] | [groups::Holder::Implicit])
}

/// Assembles a locked entry point's file: public payload in `#lb-data`, everything else sealed, to open
/// with the keys of `holders` (`groups::holders_of`).
pub fn lock_entry(
    rendered: &RenderedEntry,
    public_json: &str,
    assets: &Assets,
    images: &ImageStore,
    sealer: &Sealer,
    holders: &[groups::Holder],
) -> Result<Vec<u8>, AccessError> {
    let plain = plaintext(rendered, images).map_err(InlineError::from)?;
    let id = &rendered.id;
    let mut element = match (&sealer.wrapping, uses_slots(holders)) {
        (Some(wrapping), true) => {
            let sealed = slots::seal(wrapping, holders, id, plain.as_bytes())
                .map_err(|e| AccessError::Seal(id.clone(), e))?;
            slots::element(&sealed)
        }
        _ => {
            let key = sealer
                .ring
                .get(&groups::Holder::Implicit)
                .ok_or_else(|| AccessError::NoKey(vec![id.clone()]))?;
            let (params, ciphertext) =
                seal::seal(key, plain.as_bytes(), &seal::associated_data(id))
                    .map_err(|e| AccessError::Seal(id.clone(), e))?;
            seal::element(&params, &ciphertext)
        }
    };
    // The open siblings' index is what their own files show anyone: it stays outside the seal.
    element.push_str(&inline::siblings_element(&rendered.siblings));
    Ok(inline::fill(
        &rendered.shell,
        assets,
        public_json,
        &element,
    )?)
}
