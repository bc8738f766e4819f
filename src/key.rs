//! Access keys: 130 random bits written as 26 Crockford base32 symbols plus a mod-37 check symbol, in
//! groups of five so they can be read aloud (`7K3QF-…`). Parsing ignores case, spaces and dashes and reads
//! `O` as `0` and `I`/`L` as `1`; the check symbol catches a typo before any decryption is tried.

use std::fmt;

/// Data symbols of a key: 26 × 5 bits = 130 bits.
pub const SYMBOLS: usize = 26;
/// The 32 data symbols (Crockford base32: no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Check symbols for the values 32 to 36.
const CHECK_EXTRA: &[u8; 5] = b"*~$=U";

/// A parsed, well-formed access key. Its `Debug` form never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    values: [u8; SYMBOLS],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "`{0}` cannot appear in an access key (keys use the digits and the letters A–Z except U)"
    )]
    Symbol(char),
    #[error("an access key has 27 symbols (plus spaces or dashes), this one has {0}")]
    Length(usize),
    #[error("this access key has a typo: its last symbol does not match the others")]
    Check,
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

impl AccessKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<AccessKey, KeyError> {
        let mut bytes = [0u8; SYMBOLS];
        getrandom::getrandom(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
        // The low five bits of each random byte: each symbol uniform over 32 values.
        let values = bytes.map(|b| b & 31);
        Ok(AccessKey { values })
    }

    /// Reads a key as a person typed it.
    pub fn parse(text: &str) -> Result<AccessKey, KeyError> {
        let symbols: Vec<char> = text
            .chars()
            // Spaces, dashes and a byte-order mark (a key file saved by Notepad) are not part of the
            // key; unlock.js drops the same set.
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{feff}')
            })
            .collect();
        if symbols.len() != SYMBOLS + 1 {
            return Err(KeyError::Length(symbols.len()));
        }
        let mut values = [0u8; SYMBOLS];
        for (slot, c) in values.iter_mut().zip(&symbols) {
            *slot = data_value(*c).ok_or(KeyError::Symbol(*c))?;
        }
        let last = symbols[SYMBOLS];
        let check = check_value(last).ok_or(KeyError::Symbol(last))?;
        let key = AccessKey { values };
        if key.check() != check {
            return Err(KeyError::Check);
        }
        Ok(key)
    }

    /// The value mod 37 of the key read as one base-32 number.
    fn check(&self) -> u8 {
        let rem = self
            .values
            .iter()
            .fold(0u32, |r, v| (r * 32 + u32::from(*v)) % 37);
        rem as u8
    }

    /// The 26 data symbols, upper case, no separators: what the key derivation reads (in the browser too).
    pub fn canonical(&self) -> String {
        self.values
            .iter()
            .map(|v| char::from(ALPHABET[usize::from(*v)]))
            .collect()
    }

    /// The key for people: groups of five, then the last symbol and the check symbol.
    pub fn display(&self) -> String {
        let mut all = self.canonical();
        all.push(char::from(check_symbol(self.check())));
        let chars: Vec<char> = all.chars().collect();
        chars
            .chunks(5)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(hidden)")
    }
}

fn data_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|a| char::from(*a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

fn check_value(c: char) -> Option<u8> {
    data_value(c).or_else(|| {
        let c = c.to_ascii_uppercase();
        CHECK_EXTRA
            .iter()
            .position(|a| char::from(*a) == c)
            .and_then(|p| u8::try_from(p + 32).ok())
    })
}

fn check_symbol(value: u8) -> u8 {
    match value {
        0..=31 => ALPHABET[usize::from(value)],
        _ => CHECK_EXTRA[usize::from(value - 32).min(4)],
    }
}

/// How key groups are named and where a build reads their keys: facts of the content that `check`
/// checks and `access` uses (here, so that neither depends on the other).
pub mod groups {
    /// The reserved name of the recovery key's slot, and of its `--key-file recovery=PATH`.
    pub const RECOVERY: &str = "recovery";
    /// The slot name of the implicit group's key in a file with slots.
    pub const IMPLICIT_SLOT: &str = "*";
    /// Environment variable of the recovery key.
    pub const RECOVERY_ENV: &str = "LIFEBOAT_RECOVERY_KEY";
    /// Prefix of a key group's environment variable.
    pub const GROUP_ENV_PREFIX: &str = "LIFEBOAT_KEY_";
    /// Longest key group name.
    pub const MAX_GROUP_NAME: usize = 40;

    /// Whether `name` may name a key group: lower-case ASCII letters, digits, `-` and `_`, starting with a
    /// letter or digit.
    pub fn is_valid_group_name(name: &str) -> bool {
        name.len() <= MAX_GROUP_NAME
            && name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    }

    /// The environment variable a build reads group `name`'s key from: `LIFEBOAT_KEY_` and the name upper
    /// case, `-` read as `_` (`service-client` → `LIFEBOAT_KEY_SERVICE_CLIENT`).
    pub fn env_var(name: &str) -> String {
        let mut out = String::from(GROUP_ENV_PREFIX);
        out.extend(name.chars().map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        }));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_reads_back_and_is_grouped() {
        let key = AccessKey::generate().unwrap();
        let shown = key.display();
        assert_eq!(shown.len(), 27 + 5, "{shown}");
        assert_eq!(shown.split('-').count(), 6, "{shown}");
        assert_eq!(AccessKey::parse(&shown).unwrap(), key);
        assert_eq!(AccessKey::parse(&shown.to_lowercase()).unwrap(), key);
        assert_eq!(
            AccessKey::parse(&shown.replace('-', " ")).unwrap(),
            key,
            "spaces"
        );
        // A key file saved with a byte-order mark, as Notepad and PowerShell do.
        assert_eq!(
            AccessKey::parse(&format!("\u{feff}{shown}\r\n")).unwrap(),
            key
        );
    }

    #[test]
    fn crockford_confusables_are_read_as_digits() {
        let key = AccessKey {
            values: [
                0, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                22, 23,
            ],
        };
        let shown = key.display();
        assert!(shown.starts_with("0101"), "{shown}");
        let typed = format!("oIoL{}", &shown[4..]);
        assert_eq!(AccessKey::parse(&typed).unwrap(), key);
    }

    #[test]
    fn a_typo_is_caught_by_the_check_symbol() {
        let key = AccessKey::generate().unwrap();
        let shown: Vec<char> = key.display().chars().collect();
        // Change each data symbol in turn: the check must fail every time (mod 37 catches every
        // single-symbol substitution).
        let mut caught = 0;
        for i in 0..shown.len() - 1 {
            if shown[i] == '-' {
                continue;
            }
            let mut typo = shown.clone();
            typo[i] = if shown[i] == 'A' { 'B' } else { 'A' };
            let typo: String = typo.into_iter().collect();
            assert_eq!(AccessKey::parse(&typo), Err(KeyError::Check), "{typo}");
            caught += 1;
        }
        assert_eq!(caught, SYMBOLS);
        // Swapping two different neighbours is caught too.
        let canon = key.canonical();
        let bytes = canon.as_bytes();
        if let Some(i) = (0..SYMBOLS - 1).find(|&i| bytes[i] != bytes[i + 1]) {
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            let mut typo = String::from_utf8(swapped).unwrap();
            typo.push(char::from(check_symbol(key.check())));
            assert_eq!(AccessKey::parse(&typo), Err(KeyError::Check));
        }
    }

    #[test]
    fn wrong_length_and_symbols_are_explained() {
        assert_eq!(AccessKey::parse("ABC"), Err(KeyError::Length(3)));
        let bad = format!("U{}", "0".repeat(SYMBOLS));
        assert_eq!(AccessKey::parse(&bad), Err(KeyError::Symbol('U')));
        assert!(format!("{:?}", AccessKey::generate().unwrap()).contains("hidden"));
    }
}
