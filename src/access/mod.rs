//! Locked entry points (`access = "key"` in entry.toml): the access key, where a build gets it, the
//! encryption of an entry point's payload and images, and the rules that keep keys out of the content.
//!
//! A locked file holds the page shell, the style, the viewer script, a public payload (site name, entry
//! title unless hidden, language, UI strings, snapshot and backup information) and one
//! `<script id="lb-locked">` element with the sealed `{"data": <payload>, "images": {id: [mime, base64]}}`.
//! The format is described in docs/viewer-contract.md.

pub mod key_id;
pub mod seal;

/// The key format lives in [`crate::key`] (check needs it too, to refuse keys written in the content).
pub use crate::key;

use std::path::Path;

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
    #[error("an access key was given both in {KEY_ENV} and with --key-file; give it one way only")]
    TwoKeys,
    #[error("locking entry point `{0}`: {1}")]
    Seal(String, seal::SealError),
    #[error(transparent)]
    Inline(#[from] InlineError),
}

fn locked_list(ids: &[String]) -> String {
    let names: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match names.len() {
        1 => format!("entry point {} is", names[0]),
        _ => format!("entry points {} are", names.join(", ")),
    }
}

/// Where the build's key came from, for messages.
pub enum KeySource<'a> {
    File(&'a Path),
    Env(String),
}

/// The key a build uses: from `--key-file` or the environment (`env_value`), never both; `None` when
/// neither is set. A key file inside `content_root` is refused.
pub fn key_for_build(
    key_file: Option<&Path>,
    env_value: Option<String>,
    content_root: &Path,
) -> Result<Option<AccessKey>, AccessError> {
    let env_value = env_value.filter(|v| !v.trim().is_empty());
    let source = match (key_file, env_value) {
        (Some(_), Some(_)) => return Err(AccessError::TwoKeys),
        (Some(path), None) => KeySource::File(path),
        (None, Some(value)) => KeySource::Env(value),
        (None, None) => return Ok(None),
    };
    let (text, from) = match source {
        KeySource::File(path) => {
            let shown = path.display().to_string();
            if path
                .canonicalize()
                .is_ok_and(|real| real.starts_with(content_root))
            {
                return Err(AccessError::KeyFileInContent(shown));
            }
            let text = std::fs::read_to_string(path).map_err(|e| AccessError::KeyFile {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            (text, format!("`{shown}`"))
        }
        KeySource::Env(value) => (value, KEY_ENV.to_string()),
    };
    AccessKey::parse(text.trim())
        .map(Some)
        .map_err(|source| AccessError::BadKey { from, source })
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

/// Assembles a locked entry point's file: public payload in `#lb-data`, everything else sealed.
pub fn lock_entry(
    rendered: &RenderedEntry,
    public_json: &str,
    assets: &Assets,
    images: &ImageStore,
    key: &AccessKey,
) -> Result<Vec<u8>, AccessError> {
    let plain = plaintext(rendered, images).map_err(InlineError::from)?;
    let (params, ciphertext) =
        seal::seal(key, plain.as_bytes(), &seal::associated_data(&rendered.id))
            .map_err(|e| AccessError::Seal(rendered.id.clone(), e))?;
    let mut element = seal::element(&params, &ciphertext);
    // The open siblings' index is what their own files show anyone: it stays outside the seal.
    element.push_str(&inline::siblings_element(&rendered.siblings));
    Ok(inline::fill(
        &rendered.shell,
        assets,
        public_json,
        &element,
    )?)
}
