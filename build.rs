// The default theme is embedded with include_dir; rebuild when any of its files change.
// LIFEBOAT_FINGERPRINT identifies the code a binary was built from (sources, theme, locked dependencies):
// the build cache (src/package/cache.rs) is only reused by a binary with the same fingerprint.
use std::path::Path;

fn main() {
    for watched in ["themes", "src", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={watched}");
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for watched in ["themes", "src", "Cargo.lock", "build.rs"] {
        add_path(Path::new(watched), &mut hash);
    }
    println!("cargo:rustc-env=LIFEBOAT_FINGERPRINT={hash:016x}");
}

/// FNV-1a over every file's path and bytes, in sorted order.
fn add_path(path: &Path, hash: &mut u64) {
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            *hash ^= u64::from(*b);
            *hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    if path.is_dir() {
        let mut children: Vec<_> = std::fs::read_dir(path)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        children.sort();
        for child in children {
            add_path(&child, hash);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        feed(path.to_string_lossy().as_bytes());
        feed(&(bytes.len() as u64).to_le_bytes());
        feed(&bytes);
    }
}
