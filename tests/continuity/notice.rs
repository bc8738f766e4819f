//! The outage notice (`lifeboat notice`): set, restored and cleared on a share with `verify` green at
//! every point (stopped after every filesystem step too), the entry points and the zip untouched, the
//! built files back byte for byte once cleared; kept by `publish`; signed shares; untrusted text and
//! untrusted shares; `verify --drill`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::publish::{publish, two_bundles};
use super::tamper::{build_signed, new_keys, signed_content};
use super::{built, epoch, redact, text, verify_at, DAY};
use crate::common::*;

/// When the notices of these tests are set.
fn now() -> i64 {
    epoch() + DAY
}

fn notice(dir: &Path, share: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["notice", share];
    all.extend_from_slice(args);
    let at = now().to_string();
    let mut env = env.to_vec();
    env.push(("LIFEBOAT_NOW", &at));
    lifeboat_env(dir, &all, &env)
}

fn assert_green(share: &Path, context: &str) -> Run {
    let run = verify_at(share, &["."], now());
    assert_eq!(
        run.code,
        0,
        "{context}: share does not verify\n{}",
        run.transcript()
    );
    run
}

/// A manifest's build part: a share's manifest ends with its own `[published]` table, which the build's
/// manifest has not.
fn build_part(bytes: Vec<u8>) -> Vec<u8> {
    lifeboat::package::manifest::split_published(&bytes)
        .0
        .to_vec()
}

/// The share's files but the launcher and the manifest (and lifeboat's own folders).
fn others(share: &Path) -> BTreeMap<String, Vec<u8>> {
    read_tree(share)
        .into_iter()
        .filter(|(name, _)| {
            !matches!(name.as_str(), "index.html" | "bcp-manifest.toml")
                && !name.starts_with(".lifeboat-publish")
        })
        .collect()
}

/// The `[notice]` section of the share's manifest, its times and hash redacted.
fn notice_section(share: &Path) -> String {
    let manifest = text(&share.join("bcp-manifest.toml"));
    let section = manifest
        .split("\n[notice]\n")
        .nth(1)
        .map(|rest| rest.split("\n[").next().unwrap_or(rest))
        .unwrap_or("(none)");
    redact(section)
}

#[test]
fn a_notice_is_set_restored_and_cleared_with_the_share_green_and_the_built_files_back() {
    let dir = built("basic");
    assert_eq!(publish(dir.path(), "dist", "share", &[], &[]).code, 0);
    let share = dir.path().join("share");
    let before = others(&share);

    let run = notice(
        dir.path(),
        "share",
        &[
            "Le CRM est indisponible depuis 9h10. Utilisez cette copie.",
            "--by",
            "Cellule de continuité",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!("notice-set-output", run.stdout);
    let run = assert_green(&share, "notice set");
    assert!(
        run.stdout.contains("notice   set since 2025-11-23T08:26:40Z by Cellule de continuité: \"Le CRM est indisponible depuis 9h10. Utilisez cette copie.\""),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("notice-set-manifest", notice_section(&share));
    let launcher = text(&share.join("index.html"));
    let block = launcher
        .split("-->")
        .nth(1)
        .and_then(|rest| rest.split("<!--/lifeboat-notice").next())
        .unwrap();
    insta::assert_snapshot!("notice-set-launcher", block);
    assert_eq!(
        others(&share),
        before,
        "entry points, documents and zip untouched"
    );
    // The zip still verifies on its own, with the launcher the build wrote.
    let zip = "example-contact-centre-offline-2025-11-22.zip";
    assert_eq!(verify_at(&share, &[zip], now()).code, 0);

    // A rebuild of the content with the share's notice is the share, byte for byte.
    let run = verify_at(&share, &[".", "--rebuild", "../content"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("rebuilt identical          index.html"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("rebuilt identical          bcp-manifest.toml"),
        "{}",
        run.stdout
    );

    let json = verify_at(&share, &[".", "--format", "json"], now());
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["notice"]["kind"], "set");
    assert_eq!(report["notice"]["by"], "Cellule de continuité");
    assert_eq!(report["notice"]["time"], "2025-11-23T08:26:40Z");

    let run = notice(
        dir.path(),
        "share",
        &[
            "--restored",
            "Service rétabli : retournez sur l'outil habituel.",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_green(&share, "restored");
    let launcher = text(&share.join("index.html"));
    assert!(launcher.contains("<p class=\"notice-back\"><a href=\"https://app.example.com\" rel=\"noreferrer noopener\">"), "{launcher}");
    assert_eq!(others(&share), before);

    let run = notice(dir.path(), "share", &["--clear"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_green(&share, "cleared");
    let dist = dir.path().join("dist");
    for file in ["index.html", "bcp-manifest.toml"] {
        assert_eq!(
            build_part(fs::read(share.join(file)).unwrap()),
            fs::read(dist.join(file)).unwrap(),
            "{file} is the built one again"
        );
    }
    let run = notice(dir.path(), "share", &["--clear"], &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("has no notice: nothing to do"),
        "{}",
        run.stdout
    );
    assert!(
        !share.join(".lifeboat-publish").exists(),
        "no lock or staging left"
    );
}

#[test]
fn a_notice_stopped_after_every_step_leaves_a_share_that_verifies_and_a_rerun_completes() {
    let dir = built("basic");
    let mut completed = false;
    for k in 1..40 {
        let share = format!("share-{k}");
        assert_eq!(publish(dir.path(), "dist", &share, &[], &[]).code, 0);
        let path = dir.path().join(&share);
        let hook = k.to_string();
        let run = notice(
            dir.path(),
            &share,
            &["Panne du CRM."],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &hook)],
        );
        // Every file complete and the old or the new one's; what the stopped notice left beside them
        // (its staging folder, its lock) is reported until a rerun.
        super::publish::assert_holds_a_bundle_with(
            dir.path(),
            &share,
            &[],
            now(),
            &format!("notice stopped after step {k}"),
        );
        if run.code == 0 {
            completed = true;
            assert!(text(&path.join("index.html")).contains("Panne du CRM."));
            break;
        }
        assert!(
            run.stderr.contains("LIFEBOAT_PUBLISH_FAIL_AFTER"),
            "{}",
            run.transcript()
        );
        // A rerun finishes what was staged, then sets the notice.
        let run = notice(dir.path(), &share, &["Panne du CRM."], &[]);
        assert_eq!(run.code, 0, "rerun after step {k}: {}", run.transcript());
        assert_green(&path, &format!("rerun after step {k}"));
        assert!(text(&path.join("index.html")).contains("Panne du CRM."));
        assert!(!path.join(".lifeboat-publish").exists());
        // A publish of the same bundle finishes an interrupted notice too, and keeps it.
        let hook = k.to_string();
        let share2 = format!("{share}-publish");
        assert_eq!(publish(dir.path(), "dist", &share2, &[], &[]).code, 0);
        notice(
            dir.path(),
            &share2,
            &["Panne."],
            &[("LIFEBOAT_PUBLISH_FAIL_AFTER", &hook)],
        );
        assert_eq!(publish(dir.path(), "dist", &share2, &[], &[]).code, 0);
        assert_green(
            &dir.path().join(&share2),
            &format!("publish after a notice stopped at {k}"),
        );
    }
    assert!(completed, "the notice never completed");
}

#[test]
fn publish_keeps_the_notice_of_the_share() {
    let dir = two_bundles();
    assert_eq!(publish(dir.path(), "old", "share", &[], &[]).code, 0);
    let share = dir.path().join("share");
    let run = notice(dir.path(), "share", &["Panne du CRM.", "--by", "Ann"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let section = notice_section(&share);

    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = assert_green(&share, "after publishing a new snapshot");
    assert!(run.stdout.contains("notice   set"), "{}", run.stdout);
    assert!(text(&share.join("index.html")).contains("<p class=\"notice-text\">Panne du CRM.</p>"));
    assert_eq!(notice_section(&share), section, "the same notice");
    // The previous bundle, archived with its notice, verifies too.
    let archived = share.join("archive/2025-11-22T08-26-40Z");
    assert_eq!(verify_at(&archived, &["."], now()).code, 0);
    // Publishing the same bundle again changes nothing.
    let run = publish(dir.path(), "new", "share", &[], &[]);
    assert!(run.stdout.contains("nothing to do"), "{}", run.transcript());

    // Clearing after a publish gives the new bundle's own launcher and manifest back.
    assert_eq!(notice(dir.path(), "share", &["--clear"], &[]).code, 0);
    for file in ["index.html", "bcp-manifest.toml"] {
        assert_eq!(
            build_part(fs::read(share.join(file)).unwrap()),
            fs::read(dir.path().join("new").join(file)).unwrap(),
            "{file}"
        );
    }
    // A rollback to the archived bundle takes the share's notice (none now), not the archive's.
    let run = publish(
        dir.path(),
        "share/archive/2025-11-22T08-26-40Z",
        "share",
        &["--allow-older"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_green(&share, "rolled back");
    assert_eq!(notice_section(&share), "(none)");
}

#[test]
fn a_signed_share_needs_its_signing_key_to_change_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let keys = new_keys(dir.path());
    let other = new_keys(dir.path());
    signed_content(dir.path(), "basic", "");
    build_signed(dir.path(), "dist", &keys, epoch());
    assert_eq!(publish(dir.path(), "dist", "share", &[], &[]).code, 0);
    let share = dir.path().join("share");
    let before = read_tree(&share);

    let run = notice(dir.path(), "share", &["Panne."], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(
        "notice-signed-no-key",
        run.stderr
            .replace(&keys.fingerprint, "[fingerprint]")
            .replace(&dir.path().display().to_string(), "[dir]")
    );
    assert_eq!(read_tree(&share), before, "nothing changed");
    let run = notice(
        dir.path(),
        "share",
        &["Panne."],
        &[("LIFEBOAT_SIGNING_KEY", &other.secret)],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("is not the one that signed its manifest"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(&share), before, "nothing changed");

    let run = notice(
        dir.path(),
        "share",
        &["Panne."],
        &[("LIFEBOAT_SIGNING_KEY", &keys.secret)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("manifest signed again"),
        "{}",
        run.stdout
    );
    let run = verify_at(&share, &[".", "--public-key", &keys.public], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("signature valid"), "{}", run.stdout);

    // A new signed bundle keeps the notice only with the key: without it, publish refuses.
    build_signed(dir.path(), "dist2", &keys, epoch() + DAY / 2);
    let run = publish(dir.path(), "dist2", "share", &[], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("must be signed again"),
        "{}",
        run.stderr
    );
    let run = publish(
        dir.path(),
        "dist2",
        "share",
        &[],
        &[("LIFEBOAT_SIGNING_KEY", &keys.secret)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = verify_at(&share, &[".", "--public-key", &keys.public], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("notice   set"), "{}", run.stdout);

    // Cleared, the manifest and its signature are the build's again.
    let run = notice(
        dir.path(),
        "share",
        &["--clear"],
        &[("LIFEBOAT_SIGNING_KEY", &keys.secret)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    for file in ["index.html", "bcp-manifest.toml", "bcp-manifest.toml.sig"] {
        assert_eq!(
            build_part(fs::read(share.join(file)).unwrap()),
            fs::read(dir.path().join("dist2").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn untrusted_notice_text_is_escaped_or_refused() {
    let dir = built("basic");
    let share = dir.path().join("dist");
    let before = read_tree(&share);
    let long = "x".repeat(601);
    for (args, why) in [
        (
            vec![long.as_str()],
            "is 601 characters long; the limit is 600",
        ),
        (
            vec!["a\u{1b}[31mred"],
            "control character U+001B at character 2",
        ),
        (vec!["abc\u{202e}cba"], "control character U+202E"),
        (vec!["   "], "the notice text is empty"),
        (
            vec!["ok", "--by", "Ann\nBob"],
            "author (--by) holds the control character U+000A",
        ),
    ] {
        let run = notice(dir.path(), "dist", &args, &[]);
        assert_eq!(run.code, 1, "{args:?}: {}", run.transcript());
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
        assert_eq!(read_tree(&share), before, "{args:?}: nothing changed");
    }
    let run = notice(
        dir.path(),
        "dist",
        &[
            "<script>alert(1)</script> & <img src=x onerror=alert(2)>",
            "--by",
            "<b>Ann</b>",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let launcher = text(&share.join("index.html"));
    assert!(
        !launcher.contains("<script>alert")
            && !launcher.contains("<img")
            && !launcher.contains("<b>")
    );
    assert!(launcher.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"
    ));
    assert_eq!(
        launcher.matches("<script>").count(),
        1,
        "the launcher's one script only"
    );
    let at_600 = "é".repeat(600);
    assert_eq!(notice(dir.path(), "dist", &[&at_600], &[]).code, 0);
    assert_green(&share, "600 characters");
}

#[test]
fn an_untrusted_share_is_refused_before_anything_is_changed() {
    let dir = built("basic");
    let share = dir.path().join("dist");
    let manifest = share.join("bcp-manifest.toml");
    let original = text(&manifest);

    // A manifest that names `../x` for the launcher: never read, replaced or written through.
    fs::write(
        &manifest,
        original.replace("file = \"index.html\"", "file = \"../x\""),
    )
    .unwrap();
    let before = read_tree(dir.path());
    let run = notice(dir.path(), "dist", &["Panne."], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("documents[0].file is `../x`, which is not a file of a bundle"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(dir.path()), before, "nothing written");

    // A share that does not verify.
    fs::write(&manifest, &original).unwrap();
    fs::write(share.join("support.html"), "changed").unwrap();
    let run = notice(dir.path(), "dist", &["Panne."], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("it does not verify (changed support.html)"),
        "{}",
        run.stderr
    );

    // A launcher without the notice slot (an older build), listed as it is by its manifest.
    let dir = built("basic");
    let share = dir.path().join("dist");
    let launcher = text(&share.join("index.html"));
    let start = launcher.find("<!--lifeboat-notice ").unwrap();
    let end = launcher.find("<!--/lifeboat-notice-->").unwrap() + "<!--/lifeboat-notice-->".len();
    let old = format!("{}{}", &launcher[..start], &launcher[end..]);
    fs::write(share.join("index.html"), &old).unwrap();
    let old_sha = format!(
        "{:x}",
        <sha2::Sha256 as sha2::Digest>::digest(launcher.as_bytes())
    );
    let new_sha = format!(
        "{:x}",
        <sha2::Sha256 as sha2::Digest>::digest(old.as_bytes())
    );
    let m = text(&share.join("bcp-manifest.toml"))
        .replace(&old_sha, &new_sha)
        .replace(
            &format!("bytes = {}\nsha256 = \"{new_sha}\"", launcher.len()),
            &format!("bytes = {}\nsha256 = \"{new_sha}\"", old.len()),
        );
    // The zip holds the launcher with its slot: the forged old bundle has none.
    let m = m
        .lines()
        .filter(|l| !l.starts_with("archive = "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    fs::remove_file(share.join("example-contact-centre-offline-2025-11-22.zip")).unwrap();
    fs::write(share.join("bcp-manifest.toml"), m).unwrap();
    assert_eq!(
        verify_at(&share, &["."], now()).code,
        0,
        "the old bundle verifies"
    );
    let run = notice(dir.path(), "dist", &["Panne."], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("has no notice slot"), "{}", run.stderr);
}

#[test]
fn verify_drill_prints_the_checklist_with_what_it_checked() {
    let dir = built("basic");
    let share = dir.path().join("dist");
    let run = verify_at(&share, &[".", "--drill"], now());
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!("drill-clean", run.stdout);

    // On the share (a build output is never stale: its publish confirms it), a test notice left set
    // and the copy gone stale: flagged, and the exit code is verify's.
    assert_eq!(publish(dir.path(), "dist", "share", &[], &[]).code, 0);
    let published = dir.path().join("share");
    assert_eq!(notice(dir.path(), "share", &["Test"], &[]).code, 0);
    let run = verify_at(&published, &[".", "--drill"], epoch() + 40 * DAY);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("drill-notice-left-and-stale", run.stdout);

    let json = verify_at(&published, &[".", "--drill", "--format", "json"], now());
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let items = report["drill"]["items"].as_array().unwrap();
    let notice = items.iter().find(|i| i["id"] == "notice").unwrap();
    assert_eq!(notice["done"], false);
    assert!(items
        .iter()
        .any(|i| i["id"] == "open" && i.get("done").is_none()));

    // A zip has no share to drill.
    let zip = "example-contact-centre-offline-2025-11-22.zip";
    assert_eq!(verify_at(&share, &[zip, "--drill"], now()).code, 2);
}
