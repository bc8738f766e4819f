//! `publish --to A --to B`: several shares in turn, each verified after its publish; one that cannot be
//! reached or refuses does not stop the others, and the exit code says that one failed (issue 20, item 10).

use std::fs;

use super::publish::{publish, snapshot_of, two_bundles};
use super::{epoch, verify_at, DAY};

#[test]
fn publish_to_several_shares_publishes_each_verifies_each_and_names_the_ones_that_failed() {
    let dir = two_bundles();
    let root = dir.path();
    let run = publish(root, "old", "a", &["--to", "b"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("published snapshot 2025-11-22T08:26:40Z to a (6 files)\n")
            && run
                .stdout
                .contains("published snapshot 2025-11-22T08:26:40Z to b (6 files)\n")
            && run
                .stdout
                .ends_with("published to 2 of 2 shares, each verified\n"),
        "{}",
        run.stdout
    );
    for share in ["a", "b"] {
        assert_eq!(verify_at(&root.join(share), &["."], epoch() + DAY).code, 0);
    }

    // `c` cannot be reached (a file where its parent folder should be); `d` holds a newer bundle.
    fs::write(root.join("unmounted"), "not a folder").unwrap();
    assert_eq!(publish(root, "new", "d", &[], &[]).code, 0);
    let run = publish(
        root,
        "old",
        "a",
        &["--to", "unmounted/c", "--to", "d", "--to", "b"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: published to 2 of 4 shares; failed:\n")
            && run
                .stderr
                .contains("  unmounted/c: not reachable or not writable: ")
            && run.stderr.contains("  d: refused (see the error above)\n"),
        "{}",
        run.stderr
    );
    // The others were published (nothing to do but confirm) and verify; `d` kept its newer bundle.
    assert!(
        run.stdout.contains("a already holds snapshot"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("b already holds snapshot"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot_of(&root.join("d")), "2025-11-23T08:26:40Z");
}
