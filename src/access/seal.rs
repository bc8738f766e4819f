//! Encryption of a locked entry point: PBKDF2-HMAC-SHA256 turns the access key into an AES-256-GCM key;
//! the payload and images are sealed with a random nonce. Every parameter travels with the ciphertext
//! (in the attributes of `#lb-locked`), so later builds can raise them and the viewer follows.
//!
//! `data-key-check` is SHA-256 of a label and the derived key: it tells a wrong key (check differs) from a
//! damaged file (check matches, GCM tag fails). It helps no attacker: trying a guess against the
//! ciphertext costs the same PBKDF2 run, and the key has 130 random bits.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::key::AccessKey;

/// Format version of the locked element.
pub const VERSION: u32 = 1;
/// PBKDF2 rounds (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const ITERATIONS: u32 = 600_000;
/// Id of the element that holds the ciphertext.
pub const ELEMENT_ID: &str = "lb-locked";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The public parameters of one sealed payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub iterations: u32,
    pub salt: [u8; 16],
    pub nonce: [u8; 12],
    /// SHA-256 of [`CHECK_LABEL`] and the derived key.
    pub key_check: [u8; 32],
}

/// Prefix hashed with the derived key into `data-key-check`.
pub const CHECK_LABEL: &[u8] = b"lifeboat-key-check:v1:";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    #[error("encryption failed")]
    Encrypt,
    #[error("this key does not open this file")]
    WrongKey,
    #[error("the file was changed or damaged")]
    Decrypt,
}

/// Additional authenticated data: binds the ciphertext to the entry point it was made for.
pub fn associated_data(entry_id: &str) -> String {
    format!("lifeboat-locked:v{VERSION}:{entry_id}")
}

/// The AES key derived from the access key, and its check value.
fn cipher(key: &AccessKey, salt: &[u8], iterations: u32) -> (Aes256Gcm, [u8; 32]) {
    let derived: [u8; 32] =
        pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(key.canonical().as_bytes(), salt, iterations);
    let check = Sha256::new()
        .chain_update(CHECK_LABEL)
        .chain_update(derived)
        .finalize()
        .into();
    (Aes256Gcm::new(&derived.into()), check)
}

/// Encrypts `plaintext` with a fresh random salt and nonce.
pub fn seal(key: &AccessKey, plaintext: &[u8], aad: &str) -> Result<(Params, Vec<u8>), SealError> {
    let mut params = Params {
        iterations: ITERATIONS,
        salt: [0; 16],
        nonce: [0; 12],
        key_check: [0; 32],
    };
    getrandom::getrandom(&mut params.salt).map_err(|e| SealError::Random(e.to_string()))?;
    getrandom::getrandom(&mut params.nonce).map_err(|e| SealError::Random(e.to_string()))?;
    let (aes, check) = cipher(key, &params.salt, params.iterations);
    params.key_check = check;
    let ciphertext = aes
        .encrypt(
            Nonce::from_slice(&params.nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| SealError::Encrypt)?;
    Ok((params, ciphertext))
}

/// Decrypts what [`seal`] made (the viewer does the same with WebCrypto): a wrong key is told apart from a
/// damaged file by the key check.
pub fn open(
    key: &AccessKey,
    params: &Params,
    ciphertext: &[u8],
    aad: &str,
) -> Result<Vec<u8>, SealError> {
    let (aes, check) = cipher(key, &params.salt, params.iterations);
    if check != params.key_check {
        return Err(SealError::WrongKey);
    }
    aes.decrypt(
        Nonce::from_slice(&params.nonce),
        Payload {
            msg: ciphertext,
            aad: aad.as_bytes(),
        },
    )
    .map_err(|_| SealError::Decrypt)
}

/// The `<script id="lb-locked">` element: parameters as attributes, base64 ciphertext (GCM tag at the end)
/// as text.
pub fn element(params: &Params, ciphertext: &[u8]) -> String {
    let mut out = format!(
        "<script type=\"application/octet-stream\" id=\"{ELEMENT_ID}\" data-v=\"{VERSION}\" \
         data-kdf=\"PBKDF2\" data-hash=\"SHA-256\" data-iterations=\"{}\" data-salt=\"{}\" \
         data-cipher=\"AES-GCM\" data-key-bits=\"256\" data-nonce=\"{}\" data-key-check=\"{}\">",
        params.iterations,
        B64.encode(params.salt),
        B64.encode(params.nonce),
        B64.encode(params.key_check)
    );
    B64.encode_string(ciphertext, &mut out);
    out.push_str("</script>");
    out
}

/// Reads the locked element back out of a page (for checks and tests): its parameters and ciphertext.
pub fn read_element(html: &str) -> Option<(Params, Vec<u8>)> {
    let start = html.find(&format!("id=\"{ELEMENT_ID}\""))?;
    let open_end = start + html[start..].find('>')?;
    let tag = &html[start..open_end];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let len = tag[at..].find('"')?;
        Some(&tag[at..at + len])
    };
    let iterations = attr("data-iterations")?.parse().ok()?;
    let salt = B64.decode(attr("data-salt")?).ok()?.try_into().ok()?;
    let nonce = B64.decode(attr("data-nonce")?).ok()?.try_into().ok()?;
    let key_check = B64.decode(attr("data-key-check")?).ok()?.try_into().ok()?;
    let body_end = open_end + 1 + html[open_end + 1..].find("</script>")?;
    let ciphertext = B64.decode(html[open_end + 1..body_end].trim()).ok()?;
    Some((
        Params {
            iterations,
            salt,
            nonce,
            key_check,
        },
        ciphertext,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_the_key_only_and_detects_changes() {
        let key = AccessKey::generate().unwrap();
        let (params, ct) = seal(&key, b"secret procedures", "lifeboat-locked:v1:a").unwrap();
        assert_eq!(params.iterations, ITERATIONS);
        let html = format!("<p>x</p>{}<p>y</p>", element(&params, &ct));
        let (read, read_ct) = read_element(&html).unwrap();
        assert_eq!((&read, &read_ct), (&params, &ct));
        let plain = open(&key, &params, &ct, "lifeboat-locked:v1:a").unwrap();
        assert_eq!(plain, b"secret procedures");
        let other = AccessKey::generate().unwrap();
        assert!(matches!(
            open(&other, &params, &ct, "lifeboat-locked:v1:a"),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            open(&key, &params, &ct, "lifeboat-locked:v1:b"),
            Err(SealError::Decrypt)
        ));
        let mut flipped = ct.clone();
        flipped[3] ^= 1;
        assert!(matches!(
            open(&key, &params, &flipped, "lifeboat-locked:v1:a"),
            Err(SealError::Decrypt)
        ));
    }
}
