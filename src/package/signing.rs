//! Detached Ed25519 signatures of `bcp-manifest.toml`: who built this bundle?
//!
//! The manifest lists the checksum of every file (and the zip holds the manifest), so a signature over
//! its exact bytes covers the whole bundle. The signature lives beside it in `bcp-manifest.toml.sig`, a
//! small TOML file naming the algorithm, the public key and the signature (all base64). The public key in
//! that file only says which key *claims* to have signed: `lifeboat verify --public-key` compares it with
//! a key obtained another way (from the owner, a password manager, the printed contingency document).
//!
//! Keys are the standard base64 (with padding) of their 32 bytes: the secret key is the Ed25519 seed
//! (RFC 8032), the public key the compressed point. Ed25519 signatures are deterministic, so the same
//! manifest and key give the same `.sig` file: signed bundles stay byte-reproducible.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::package::manifest;

/// The signature file, beside the manifest.
pub const SIGNATURE_FILE: &str = "bcp-manifest.toml.sig";
/// The environment variable holding the secret key when site.toml's `[signing]` names none.
pub use crate::content::config::DEFAULT_SIGNING_KEY_ENV as DEFAULT_KEY_ENV;
/// A signature file is a few hundred bytes; anything larger was not written by lifeboat.
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;
const ALGORITHM: &str = "ed25519";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("is not base64 (expected the 44-character key `lifeboat key new-signing` printed)")]
    NotBase64,
    #[error("is {0} bytes long once decoded; an Ed25519 key is 32 bytes")]
    Length(usize),
    #[error("is not a valid Ed25519 public key")]
    NotAPoint,
}

/// The contents of `bcp-manifest.toml.sig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The public key of the signer, base64: a claim, to compare with a trusted key.
    pub public_key: String,
    /// The 64-byte signature over the exact bytes of `bcp-manifest.toml`, base64.
    pub signature: String,
}

/// How a build signs: the key pair, or (for a rebuild that only needs the documents to name the key)
/// just the public key.
#[derive(Clone)]
pub struct Signer {
    pub public: VerifyingKey,
    pub secret: Option<SigningKey>,
    /// Without the secret key: an existing signature file, written as it is (`verify --rebuild` puts
    /// the bundle's own in the rebuilt zip, so that the zip stays comparable).
    pub detached: Option<Vec<u8>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret key.
        f.debug_struct("Signer")
            .field("public", &encode_public(&self.public))
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Signer {
    pub fn from_secret(secret: SigningKey) -> Signer {
        Signer {
            public: secret.verifying_key(),
            secret: Some(secret),
            detached: None,
        }
    }

    /// A signer that cannot sign: it names `public` and writes `detached`, if given, as the signature.
    pub fn public_only(public: VerifyingKey, detached: Option<Vec<u8>>) -> Signer {
        Signer {
            public,
            secret: None,
            detached,
        }
    }

    /// The `.sig` file for `manifest` (its exact bytes), when the secret key is known; else the
    /// detached signature given, if any.
    pub fn sign(&self, manifest: &[u8]) -> Option<Vec<u8>> {
        let Some(secret) = self.secret.as_ref() else {
            return self.detached.clone();
        };
        let signature = secret.sign(manifest);
        Some(signature_file(&self.public, &signature).into_bytes())
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public)
    }
}

fn signature_file(public: &VerifyingKey, signature: &Signature) -> String {
    let file = SignatureFile {
        algorithm: ALGORITHM.into(),
        public_key: encode_public(public),
        signature: B64.encode(signature.to_bytes()),
    };
    format!(
        "# Ed25519 signature of {} (its exact bytes). Check it with\n# `lifeboat verify DIR --public-key KEY`, KEY obtained from the bundle's owner, not from this folder.\n{}",
        manifest::FILE_NAME,
        toml::to_string(&file).unwrap_or_default()
    )
}

/// A new random key pair.
pub fn generate() -> Result<SigningKey, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)?;
    Ok(SigningKey::from_bytes(&seed))
}

fn decode32(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = B64
        .decode(text.trim().as_bytes())
        .map_err(|_| KeyError::NotBase64)?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| KeyError::Length(len))
}

pub fn parse_secret(text: &str) -> Result<SigningKey, KeyError> {
    decode32(text).map(|seed| SigningKey::from_bytes(&seed))
}

pub fn parse_public(text: &str) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_bytes(&decode32(text)?).map_err(|_| KeyError::NotAPoint)
}

pub fn encode_secret(key: &SigningKey) -> String {
    B64.encode(key.to_bytes())
}

pub fn encode_public(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// SHA-256 of the public key's 32 bytes, lowercase hex: what the contingency document shows.
pub fn fingerprint(key: &VerifyingKey) -> String {
    manifest::sha256_hex(key.as_bytes())
}

/// `--public-key`: a key, or a file holding one (its first non-empty, non-comment line).
pub fn public_key_argument(arg: &str) -> Result<VerifyingKey, String> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the public key file `{arg}`: {e}"))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        return parse_public(line)
            .map_err(|e| format!("the public key in `{arg}` {e}; nothing was checked"));
    }
    parse_public(arg).map_err(|e| {
        format!("--public-key `{arg}` is neither a file nor a key: it {e}; nothing was checked")
    })
}

/// Why a `.sig` file does not vouch for a manifest; `None` when it does. With `trusted`, the
/// signature must be that key's; without, the key the file names is taken at its word.
pub fn check(manifest: &[u8], sig: &[u8], trusted: Option<&VerifyingKey>) -> Checked {
    let parsed = match parse_file(sig) {
        Ok(parsed) => parsed,
        Err(why) => return Checked::Bad(why),
    };
    let (claimed, signature) = parsed;
    let fingerprint = fingerprint(&claimed);
    if let Some(trusted) = trusted {
        if *trusted != claimed {
            return Checked::Bad(format!(
                "signed by another key (fingerprint {fingerprint}), not the one given (fingerprint {})",
                self::fingerprint(trusted)
            ));
        }
    }
    match claimed.verify_strict(manifest, &signature) {
        Ok(()) => Checked::Good { fingerprint },
        Err(_) => Checked::Bad(format!(
            "does not match {} (the manifest changed after it was signed, or the signature did)",
            manifest::FILE_NAME
        )),
    }
}

/// The outcome of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The signature is over these manifest bytes, by the key with this fingerprint.
    Good {
        fingerprint: String,
    },
    Bad(String),
}

fn parse_file(sig: &[u8]) -> Result<(VerifyingKey, Signature), String> {
    let text =
        std::str::from_utf8(sig).map_err(|_| "is not a lifeboat signature file (not UTF-8)")?;
    let file: SignatureFile = toml::from_str(text)
        .map_err(|e| format!("is not a lifeboat signature file ({})", e.message()))?;
    if file.algorithm != ALGORITHM {
        return Err(format!(
            "uses the algorithm `{}`; lifeboat signs with `{ALGORITHM}`",
            file.algorithm.escape_debug()
        ));
    }
    let public =
        parse_public(&file.public_key).map_err(|e| format!("names a public key that {e}"))?;
    let bytes = B64
        .decode(file.signature.trim().as_bytes())
        .map_err(|_| "holds a signature that is not base64".to_string())?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| format!("holds a signature of {} bytes, not 64", bytes.len()))?;
    Ok((public, signature))
}

/// The public key a signature file names (a claim, not a proof), if it is one.
pub fn claimed_key(sig: &[u8]) -> Option<VerifyingKey> {
    parse_file(sig).ok().map(|(key, _)| key)
}

/// Whether the `.sig` bytes are a signature of `manifest` by the key they name: enough for `publish`
/// to treat the file as the bundle's own (to delete or replace it).
pub fn self_consistent(manifest: &[u8], sig: &[u8]) -> bool {
    matches!(check(manifest, sig, None), Checked::Good { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_manifest_and_key() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signer = Signer::from_secret(key);
        let sig = signer.sign(b"manifest").unwrap();
        assert_eq!(signer.sign(b"manifest").unwrap(), sig, "deterministic");
        assert!(matches!(
            check(b"manifest", &sig, Some(&signer.public)),
            Checked::Good { .. }
        ));
        assert!(matches!(check(b"manifest!", &sig, None), Checked::Bad(_)));
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        let Checked::Bad(why) = check(b"manifest", &sig, Some(&other)) else {
            panic!("another key accepted")
        };
        assert!(why.contains("another key"), "{why}");
        assert!(matches!(check(b"manifest", b"\xff", None), Checked::Bad(_)));
    }

    #[test]
    fn keys_round_trip_and_bad_ones_are_named() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let secret = encode_secret(&key);
        assert_eq!(parse_secret(&secret).unwrap().to_bytes(), key.to_bytes());
        let public = encode_public(&key.verifying_key());
        assert_eq!(
            parse_public(&format!(" {public}\n")).unwrap(),
            key.verifying_key()
        );
        assert_eq!(parse_public("nope!").unwrap_err(), KeyError::NotBase64);
        assert_eq!(parse_public("AAAA").unwrap_err(), KeyError::Length(3));
    }
}
