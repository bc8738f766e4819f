//! Key identifiers: which access key a locked entry point was built with, recorded in the manifest
//! (`entries[].key_id`) so that `publish` can tell that an entry point became locked or that its key
//! changed, and withdraw the archived copies that open without the new key. An identifier reveals
//! nothing of the key:
//!
//! - `K_id = PBKDF2-HMAC-SHA256(key, salt "lifeboat-key-id:v1", 600,000 rounds)`: a key derived for
//!   this purpose only (the encryption key has a random salt per build, so it cannot identify the key
//!   across builds). Its fixed salt makes it the same in every build with the same key; its rounds are
//!   the encryption's, so testing a guessed key against an identifier costs what testing it against a
//!   locked file costs (and the key has 130 random bits);
//! - `key_id = HMAC-SHA256(K_id, "lifeboat-key-id:v1:" + entry id)`, its first 8 bytes as 16
//!   lowercase hex digits: one per entry point, the same for the same key and entry point.
//!
//! 64 bits tell two keys apart but for a chance of 2⁻⁶⁴, and are far too few to say anything of a
//! 130-bit key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::seal::ITERATIONS;
use crate::key::AccessKey;

/// PBKDF2 salt of `K_id`, and the prefix of every identifier's HMAC input.
pub const LABEL: &str = "lifeboat-key-id:v1";
/// Hex digits of an identifier.
pub const HEX_DIGITS: usize = 16;

/// `K_id` of one access key: derived once per build, then one HMAC per locked entry point.
pub struct KeyIds {
    derived: [u8; 32],
}

impl std::fmt::Debug for KeyIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyIds(hidden)")
    }
}

impl KeyIds {
    pub fn new(key: &AccessKey) -> KeyIds {
        KeyIds {
            derived: pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(
                key.canonical().as_bytes(),
                LABEL.as_bytes(),
                ITERATIONS,
            ),
        }
    }

    /// The identifier of the key of entry point `entry_id`.
    pub fn of(&self, entry_id: &str) -> String {
        // HMAC takes a key of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.derived)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(LABEL.as_bytes());
        mac.update(b":");
        mac.update(entry_id.as_bytes());
        let tag = mac.finalize().into_bytes();
        crate::encode::hex(&tag[..HEX_DIGITS / 2])
    }
}

/// Marks of a locked entry point's steps in the manifest (`crate::changes`): HMAC-SHA256 keyed with
/// `K_id`, over a label distinct from the identifiers', the entry id and the text; 16 hex digits.
impl crate::changes::Marker for KeyIds {
    fn key_id(&self, entry: &str) -> String {
        self.of(entry)
    }

    fn mark(&self, entry: &str, text: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.derived)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"lifeboat-step-mark:v1:");
        mac.update(entry.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        let tag = mac.finalize().into_bytes();
        crate::encode::hex(&tag[..crate::changes::HEX_DIGITS / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gives_the_same_identifier_and_another_key_another() {
        let key = AccessKey::generate().unwrap();
        let ids = KeyIds::new(&key);
        let id = ids.of("billing");
        assert_eq!(id.len(), HEX_DIGITS);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(
            KeyIds::new(&AccessKey::parse(&key.display()).unwrap()).of("billing"),
            id
        );
        assert_ne!(ids.of("support"), id, "one identifier per entry point");
        assert_ne!(
            KeyIds::new(&AccessKey::generate().unwrap()).of("billing"),
            id
        );
        assert!(!format!("{ids:?}").contains(&id));
    }

    /// Pins the derivation: a change would make every publish see every key as changed.
    #[test]
    fn the_derivation_is_stable() {
        let key = AccessKey::parse("00000-00000-00000-00000-00000-00").unwrap();
        assert_eq!(KeyIds::new(&key).of("billing"), KNOWN);
    }

    /// Computed independently with Python's hashlib: `hmac.new(hashlib.pbkdf2_hmac("sha256", b"0" * 26,
    /// b"lifeboat-key-id:v1", 600000), b"lifeboat-key-id:v1:billing", "sha256").hexdigest()[:16]`.
    const KNOWN: &str = "8d320bda19c26a3c";
}
