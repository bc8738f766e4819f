//! Locked files with key slots (format 2, for key groups and the recovery key). The payload is sealed
//! once with a random 256-bit **content key** (AES-256-GCM, random nonce, associated data
//! `lifeboat-locked:v2:<entry id>`); the content key is wrapped once per key that opens the file, each
//! wrapping a **slot**: AES-256-GCM of the 32 content-key bytes under that key's wrapping key, a random
//! nonce per slot, associated data `lifeboat-slot:v2:<entry id>:<slot name>`.
//!
//! A key's wrapping key is `PBKDF2-HMAC-SHA256(key's 26 data symbols, salt, 600,000 rounds)`, with one
//! random salt per build shared by every slot of every file of that build. So the viewer runs one PBKDF2
//! per typed key, then one AES-GCM attempt per slot (a slot's tag fails for every other key), and a build
//! runs one PBKDF2 per key, not per key and file. Why one salt is safe: the salt keeps an attacker from
//! precomputing guesses before seeing a file, and a new build has a new one; within a build, two slots'
//! wrapping keys differ because their keys differ (a build refuses the same key for two holders, and keys
//! are 130 random bits); a guess tried against one file is tried against the others of the build, which
//! open with the same keys anyway. Every slot wraps a different random content key (per file) under its
//! own random nonce, so nothing repeats under one wrapping key.
//!
//! AES-GCM rather than AES-KW for the slots: the payload's cipher already, in every browser's WebCrypto
//! and in the `aes-gcm` crate the build has; its tag is the wrong-key test (no slot opens), and its
//! associated data binds a slot to its file and name.
//!
//! The element, docs/viewer-contract.md:
//! `<script type="application/octet-stream" id="lb-locked" data-v="2" data-kdf="PBKDF2" data-hash="SHA-256"
//! data-iterations="600000" data-salt="…" data-cipher="AES-GCM" data-key-bits="256" data-nonce="…"
//! data-wrap="AES-GCM" data-slots="facturation:… direction:… recovery:…">ciphertext</script>`, each slot
//! `name:base64(nonce ‖ wrapped key ‖ tag)` (12 + 32 + 16 bytes).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use rayon::prelude::*;
use sha2::Sha256;

use super::groups::{Holder, KeyRing};
use super::seal::{SealError, ELEMENT_ID, ITERATIONS};
use crate::key::AccessKey;

/// Format version of a locked element with slots.
pub const VERSION: u32 = 2;
/// Bytes of one slot: nonce, wrapped content key, tag.
pub const SLOT_BYTES: usize = 12 + 32 + 16;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Associated data of the payload.
pub fn payload_aad(entry_id: &str) -> String {
    format!("lifeboat-locked:v{VERSION}:{entry_id}")
}

/// Associated data of slot `name`.
pub fn slot_aad(entry_id: &str, name: &str) -> String {
    format!("lifeboat-slot:v{VERSION}:{entry_id}:{name}")
}

/// A key's wrapping key under `salt`.
pub fn wrapping_key(key: &AccessKey, salt: &[u8], iterations: u32) -> [u8; 32] {
    pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(key.canonical().as_bytes(), salt, iterations)
}

/// The wrapping keys of one build: one salt, one derivation per key. Its `Debug` form shows no key.
pub struct Wrapping {
    pub salt: [u8; 16],
    pub iterations: u32,
    keys: Vec<(Holder, [u8; 32])>,
}

impl std::fmt::Debug for Wrapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wrapping(hidden)")
    }
}

impl Wrapping {
    /// A fresh random salt, and each key of `ring` derived with it.
    pub fn new(ring: &KeyRing) -> Result<Wrapping, SealError> {
        let mut salt = [0u8; 16];
        random(&mut salt)?;
        let keyed: Vec<(&Holder, &AccessKey)> = ring.iter().collect();
        let keys = keyed
            .par_iter()
            .map(|(holder, key)| ((*holder).clone(), wrapping_key(key, &salt, ITERATIONS)))
            .collect();
        Ok(Wrapping {
            salt,
            iterations: ITERATIONS,
            keys,
        })
    }

    fn get(&self, holder: &Holder) -> Option<&[u8; 32]> {
        self.keys.iter().find(|(h, _)| h == holder).map(|(_, k)| k)
    }
}

/// One slot: its name and `nonce ‖ wrapped content key ‖ tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A sealed payload with its slots, as the element carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub iterations: u32,
    pub salt: [u8; 16],
    pub nonce: [u8; 12],
    pub slots: Vec<Slot>,
    pub ciphertext: Vec<u8>,
}

fn random(buf: &mut [u8]) -> Result<(), SealError> {
    getrandom::getrandom(buf).map_err(|e| SealError::Random(e.to_string()))
}

/// Seals `plaintext` for entry point `entry_id` with a new content key, wrapped for each of `holders`
/// (each must be in `wrapping`).
pub fn seal(
    wrapping: &Wrapping,
    holders: &[Holder],
    entry_id: &str,
    plaintext: &[u8],
) -> Result<Sealed, SealError> {
    let mut content_key = [0u8; 32];
    random(&mut content_key)?;
    let mut nonce = [0u8; 12];
    random(&mut nonce)?;
    let aad = payload_aad(entry_id);
    let ciphertext = Aes256Gcm::new(&content_key.into())
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| SealError::Encrypt)?;
    let mut slots = Vec::with_capacity(holders.len());
    for holder in holders {
        let kek = wrapping.get(holder).ok_or(SealError::Encrypt)?;
        let mut slot_nonce = [0u8; 12];
        random(&mut slot_nonce)?;
        let name = holder.slot_name();
        let wrapped = Aes256Gcm::new(kek.into())
            .encrypt(
                Nonce::from_slice(&slot_nonce),
                Payload {
                    msg: &content_key,
                    aad: slot_aad(entry_id, name).as_bytes(),
                },
            )
            .map_err(|_| SealError::Encrypt)?;
        let mut bytes = slot_nonce.to_vec();
        bytes.extend(wrapped);
        slots.push(Slot {
            name: name.to_string(),
            bytes,
        });
    }
    Ok(Sealed {
        iterations: wrapping.iterations,
        salt: wrapping.salt,
        nonce,
        slots,
        ciphertext,
    })
}

/// The content key in `slot`, if `kek` opens it.
fn unwrap(kek: &[u8; 32], slot: &Slot, entry_id: &str) -> Option<[u8; 32]> {
    if slot.bytes.len() != SLOT_BYTES {
        return None;
    }
    let (nonce, wrapped) = slot.bytes.split_at(12);
    Aes256Gcm::new(kek.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: wrapped,
                aad: slot_aad(entry_id, &slot.name).as_bytes(),
            },
        )
        .ok()?
        .try_into()
        .ok()
}

/// Opens what [`seal`] made with one key, as the viewer does: one derivation, one attempt per slot.
/// Returns the name of the slot the key opened and the plaintext; `WrongKey` when no slot opens,
/// `Decrypt` when a slot opens but the payload does not (a damaged file).
pub fn open(
    key: &AccessKey,
    sealed: &Sealed,
    entry_id: &str,
) -> Result<(String, Vec<u8>), SealError> {
    let kek = wrapping_key(key, &sealed.salt, sealed.iterations);
    let (name, content_key) = sealed
        .slots
        .iter()
        .find_map(|slot| unwrap(&kek, slot, entry_id).map(|k| (slot.name.clone(), k)))
        .ok_or(SealError::WrongKey)?;
    let plain = Aes256Gcm::new(&content_key.into())
        .decrypt(
            Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: payload_aad(entry_id).as_bytes(),
            },
        )
        .map_err(|_| SealError::Decrypt)?;
    Ok((name, plain))
}

/// The `<script id="lb-locked">` element of a file with slots.
pub fn element(sealed: &Sealed) -> String {
    let slots: Vec<String> = sealed
        .slots
        .iter()
        .map(|s| format!("{}:{}", s.name, B64.encode(&s.bytes)))
        .collect();
    let mut out = format!(
        "<script type=\"application/octet-stream\" id=\"{ELEMENT_ID}\" data-v=\"{VERSION}\" \
         data-kdf=\"PBKDF2\" data-hash=\"SHA-256\" data-iterations=\"{}\" data-salt=\"{}\" \
         data-cipher=\"AES-GCM\" data-key-bits=\"256\" data-nonce=\"{}\" data-wrap=\"AES-GCM\" \
         data-slots=\"{}\">",
        sealed.iterations,
        B64.encode(sealed.salt),
        B64.encode(sealed.nonce),
        slots.join(" ")
    );
    B64.encode_string(&sealed.ciphertext, &mut out);
    out.push_str("</script>");
    out
}

/// Reads a file-with-slots element back out of a page (for checks and tests); `None` for anything else,
/// a format-1 element included.
pub fn read_element(html: &str) -> Option<Sealed> {
    let start = html.find(&format!("id=\"{ELEMENT_ID}\""))?;
    let open_end = start + html[start..].find('>')?;
    let tag = &html[start..open_end];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let len = tag[at..].find('"')?;
        Some(&tag[at..at + len])
    };
    if attr("data-v")? != VERSION.to_string() {
        return None;
    }
    let slots = attr("data-slots")?
        .split_whitespace()
        .map(|s| {
            let (name, b64) = s.split_once(':')?;
            Some(Slot {
                name: name.to_string(),
                bytes: B64.decode(b64).ok()?,
            })
        })
        .collect::<Option<Vec<Slot>>>()?;
    let body_end = open_end + 1 + html[open_end + 1..].find("</script>")?;
    Some(Sealed {
        iterations: attr("data-iterations")?.parse().ok()?,
        salt: B64.decode(attr("data-salt")?).ok()?.try_into().ok()?,
        nonce: B64.decode(attr("data-nonce")?).ok()?.try_into().ok()?,
        slots,
        ciphertext: B64.decode(html[open_end + 1..body_end].trim()).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_slot_opens_with_its_key_only_and_damage_is_told_apart() {
        let a = AccessKey::generate().unwrap();
        let b = AccessKey::generate().unwrap();
        let r = AccessKey::generate().unwrap();
        let mut ring = KeyRing::default();
        ring.insert(Holder::Group("a".into()), a.clone());
        ring.insert(Holder::Group("b".into()), b.clone());
        ring.insert(Holder::Recovery, r.clone());
        let w = Wrapping::new(&ring).unwrap();
        let holders = [Holder::Group("a".into()), Holder::Recovery];
        let sealed = seal(&w, &holders, "billing", b"secret").unwrap();
        let html = format!("<p>{}</p>", element(&sealed));
        let read = read_element(&html).unwrap();
        assert_eq!(read, sealed);
        let names: Vec<&str> = read.slots.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "recovery"]);
        assert_eq!(
            open(&a, &read, "billing").unwrap(),
            ("a".into(), b"secret".to_vec())
        );
        assert_eq!(open(&r, &read, "billing").unwrap().0, "recovery");
        assert!(matches!(
            open(&b, &read, "billing"),
            Err(SealError::WrongKey)
        ));
        // A slot is bound to its file: moved to another entry point it opens nothing.
        assert!(matches!(open(&a, &read, "fraud"), Err(SealError::WrongKey)));
        let mut damaged = read.clone();
        damaged.ciphertext[2] ^= 1;
        assert!(matches!(
            open(&a, &damaged, "billing"),
            Err(SealError::Decrypt)
        ));
        // A slot renamed (to pass for another group's) does not open.
        let mut renamed = read.clone();
        renamed.slots[0].name = "b".into();
        assert!(matches!(
            open(&a, &renamed, "billing"),
            Err(SealError::WrongKey)
        ));
        // Every file of the build has the salt, each its own content key and nonces.
        let again = seal(&w, &holders, "billing", b"secret").unwrap();
        assert_eq!(again.salt, sealed.salt);
        assert_ne!(again.nonce, sealed.nonce);
        assert_ne!(again.slots[0].bytes, sealed.slots[0].bytes);
        assert!(!format!("{w:?}").contains(&a.canonical()));
    }
}
