//! Authoring commands, run as an author would: `init` -> `check` -> `build` in both languages, `new`,
//! `schema` (validating the shipped example and rejecting a typo), `stats`, `completions`, `man`.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn init(dir: &Path, language: &str) -> std::path::PathBuf {
    let project = dir.join(language);
    let run = lifeboat(dir, &["init", language, "--language", language]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    project
}

#[test]
fn init_then_check_then_build_passes_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    for language in ["fr", "en"] {
        let project = init(dir.path(), language);
        for file in [
            "content/site.toml",
            ".gitignore",
            ".github/workflows/lifeboat.yml",
            "schemas/site.schema.json",
        ] {
            assert!(project.join(file).is_file(), "{language}: no {file}");
        }
        let check = lifeboat(&project, &["check", "--deny-warnings"]);
        assert_eq!(check.code, 0, "{language}: {}", check.transcript());
        let build = lifeboat(&project, &["build"]);
        assert_eq!(build.code, 0, "{language}: {}", build.transcript());
        let page = fs::read_to_string(project.join("dist/procedures.html")).unwrap();
        assert!(
            page.contains(&format!("<html lang={language}>")),
            "{language}: page language"
        );
        // The starter's .gitignore keeps the output folder out of git.
        let ignore = fs::read_to_string(project.join(".gitignore")).unwrap();
        assert!(
            ignore.lines().any(|l| l.trim_matches('/') == "dist"),
            "{ignore}"
        );
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_without_force() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let refused = lifeboat(dir.path(), &["init", "."]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert!(!dir.path().join("content").exists());
    let forced = lifeboat(dir.path(), &["init", ".", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.transcript());
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(dir.path().join("content/site.toml").is_file());
}

#[test]
fn new_entry_and_diagram_scaffold_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let project = init(dir.path(), "en");
    let entry = lifeboat(&project, &["new", "entry", "billing", "--title", "Billing"]);
    assert_eq!(entry.code, 0, "{}", entry.transcript());
    let diagram = lifeboat(
        &project,
        &["new", "diagram", "billing/refund", "--title", "Refund"],
    );
    assert_eq!(diagram.code, 0, "{}", diagram.transcript());
    let text = fs::read_to_string(project.join("content/billing/refund.md")).unwrap();
    assert!(text.starts_with("+++\n"), "{text}");
    assert!(text.contains("title = \"Refund\""), "{text}");
    // No errors; the new diagram is only reachable from the home page until something links to it.
    let check = lifeboat(&project, &["check"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(check.stderr.contains("0 errors"), "{}", check.stderr);
    // Existing ids are refused, never overwritten.
    let again = lifeboat(&project, &["new", "diagram", "billing/refund"]);
    assert_ne!(again.code, 0, "{}", again.transcript());
    assert_eq!(
        fs::read_to_string(project.join("content/billing/refund.md")).unwrap(),
        text
    );
    let bad = lifeboat(&project, &["new", "entry", "../outside"]);
    assert_ne!(bad.code, 0, "{}", bad.transcript());
    assert!(!dir.path().join("outside").exists());
}

/// TOML text -> JSON value, as an editor's schema validation sees it (taplo, Even Better TOML: a TOML
/// date is a string in `date` format).
fn json(text: &str) -> serde_json::Value {
    fn convert(value: toml::Value) -> serde_json::Value {
        match value {
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(items) => items.into_iter().map(convert).collect(),
            toml::Value::Table(table) => table
                .into_iter()
                .map(|(k, v)| (k, convert(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            other => serde_json::to_value(other).unwrap(),
        }
    }
    convert(toml::from_str(text).expect("valid TOML"))
}

fn front_matter(text: &str) -> &str {
    let rest = text.strip_prefix("+++\n").expect("front matter");
    &rest[..rest.find("\n+++").expect("closing +++")]
}

fn validator(dir: &Path, name: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

#[test]
fn schemas_validate_the_example_content_and_reject_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let run = lifeboat(dir.path(), &["schema", "--out", "schemas"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let schemas = dir.path().join("schemas");
    let site = validator(&schemas, "site.schema.json");
    let entry = validator(&schemas, "entry.schema.json");
    let diagram = validator(&schemas, "diagram.schema.json");

    let content = repo().join("content");
    let site_text = fs::read_to_string(content.join("site.toml")).unwrap();
    let errors: Vec<String> = site
        .iter_errors(&json(&site_text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "content/site.toml: {errors:?}");
    let mut diagrams = 0;
    for folder in fs::read_dir(&content).unwrap().map(|e| e.unwrap().path()) {
        if !folder.is_dir() {
            continue;
        }
        let text = fs::read_to_string(folder.join("entry.toml")).unwrap();
        assert!(
            entry.is_valid(&json(&text)),
            "{}/entry.toml",
            folder.display()
        );
        for file in fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()) {
            if file.extension().is_some_and(|x| x == "md") {
                let text = fs::read_to_string(&file).unwrap();
                let front = json(front_matter(&text));
                assert!(diagram.is_valid(&front), "{}", file.display());
                diagrams += 1;
            }
        }
    }
    assert!(diagrams >= 6, "{diagrams} diagrams validated");

    let typo = site_text.replacen("language =", "langage =", 1);
    assert_ne!(typo, site_text);
    assert!(
        !site.is_valid(&json(&typo)),
        "a misspelt key must be rejected"
    );
    assert!(!entry.is_valid(&json("title = \"T\"\naccess = \"secret\"\n")));
}

#[test]
fn schema_without_out_prints_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let run = lifeboat(dir.path(), &["schema"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut names: Vec<&String> = all.as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bcp-manifest.schema.json",
            "diagram.schema.json",
            "entry.schema.json",
            "site.schema.json"
        ]
    );
}

#[test]
fn stats_count_the_example_content() {
    let dir = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    let run = lifeboat(
        dir.path(),
        &["stats", content.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = stats["entries"].as_array().unwrap();
    assert!(entries.len() >= 2);
    let nodes: u64 = entries.iter().map(|e| e["nodes"].as_u64().unwrap()).sum();
    let per_diagram: u64 = entries
        .iter()
        .flat_map(|e| e["diagrams"].as_array().unwrap())
        .map(|d| d["nodes"].as_u64().unwrap())
        .sum();
    assert_eq!(nodes, per_diagram);
    assert!(nodes >= 40, "{nodes} nodes");
    for e in entries {
        let (n, decisions, ends) = (
            e["nodes"].as_u64().unwrap(),
            e["decisions"].as_u64().unwrap(),
            e["end_points"].as_u64().unwrap(),
        );
        assert!(decisions + ends <= n, "{e}");
        assert!(ends > 0, "every entry point ends somewhere: {e}");
    }
    let text = lifeboat(dir.path(), &["stats", content.to_str().unwrap()]);
    assert_eq!(text.code, 0, "{}", text.transcript());
    assert!(text.stdout.contains("longest"), "{}", text.stdout);
}

#[test]
fn stats_output_is_stable() {
    // The example, and the basic fixture with a node nothing leads to (a warning, which stats report as
    // unreachable), in both formats: what `stats` prints must not move when its internals do.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("basic"));
    copy_dir(
        &fixture("invalid/warn-unreachable-node"),
        &dir.path().join("basic"),
    );
    // A node reached only by a link in a node's text, and one reached only from another entry point
    // (reachable for `check`, which walks the whole build; unreachable within its entry point for stats).
    fs::write(
        dir.path().join("basic/support/links.md"),
        "+++\ntitle = \"Links\"\n+++\n\n## Begin {#begin}\n\nSee [the aside](#aside) first.\n\n\
         - [Go on](#next)\n- [Escalate](../escalation/level-2.md#handoff)\n\n## Next {#next}\n\n\
         - [Back](#begin)\n\n## Aside {#aside}\n\nOnly a link in a text leads here.\n",
    )
    .unwrap();
    let level_2 = dir.path().join("basic/escalation/level-2.md");
    let text = fs::read_to_string(&level_2).unwrap();
    fs::write(
        &level_2,
        text + "\n## Handoff {#handoff}\n\nOnly the support entry point leads here.\n",
    )
    .unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("example"));
    for content in ["example", "basic"] {
        for format in ["text", "json"] {
            let run = lifeboat(dir.path(), &["stats", content, "--format", format]);
            assert_eq!(run.code, 0, "{}", run.transcript());
            insta::assert_snapshot!(format!("stats-{content}-{format}"), run.stdout);
        }
    }
}

#[test]
fn stats_refuse_content_with_errors() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), &dir.path().join("content"));
    copy_dir(
        &fixture("invalid/answer-missing-node"),
        &dir.path().join("content"),
    );
    let run = lifeboat(dir.path(), &["stats"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("error"), "{}", run.stderr);
}

#[test]
fn completions_and_man_page_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = lifeboat(dir.path(), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.transcript());
        assert!(run.stdout.contains("lifeboat"), "{shell}");
        assert!(
            run.stdout.contains("verify"),
            "{shell}: subcommands completed"
        );
    }
    let man = lifeboat(dir.path(), &["man"]);
    assert_eq!(man.code, 0, "{}", man.transcript());
    assert!(
        man.stdout.contains(".TH lifeboat"),
        "{}",
        &man.stdout[..200]
    );
    assert!(
        man.stdout.contains("\\fBlifeboat verify\\fR"),
        "{}",
        man.stdout
    );
    // One page: no reference to a page per command, which lifeboat does not install.
    assert!(!man.stdout.contains("(1)"), "{}", man.stdout);
}

/// Every `lifeboat …` command of the CI recipes, in document order, with its shell quoting removed.
fn recipe_commands() -> Vec<Vec<String>> {
    let text = fs::read_to_string(repo().join("docs/ci-recipes.md")).unwrap();
    let mut in_block = false;
    let mut commands = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        // `- run: lifeboat …`, `- lifeboat …`, `ExecStart=/usr/local/bin/lifeboat …`, cron's `sh -c '…'`.
        let mut rest = line;
        while let Some(at) = rest.find("lifeboat ") {
            let before = &rest[..at];
            let starts_word = before.is_empty()
                || before.ends_with(' ')
                || before.ends_with('/')
                || before.ends_with('\'')
                || before.ends_with('=');
            let after = &rest[at + "lifeboat ".len()..];
            let end = after.find(['>', '|', '\'']).unwrap_or(after.len());
            let command = &after[..end];
            let is_invocation = starts_word
                && !before.trim_end().ends_with("install")
                && !before.contains("--git")
                && command
                    .split_whitespace()
                    .next()
                    .is_some_and(|c| ["check", "build", "verify", "publish"].contains(&c));
            if is_invocation {
                commands.push(
                    command
                        .split_whitespace()
                        .map(|w| w.trim_matches('"').to_string())
                        .collect(),
                );
            }
            rest = &after[end..];
        }
    }
    commands
}

#[test]
fn ci_recipes_commands_work() {
    let commands = recipe_commands();
    let verbs: Vec<&str> = commands.iter().map(|c| c[0].as_str()).collect();
    for verb in ["check", "build", "verify", "publish"] {
        assert!(
            verbs.contains(&verb),
            "no `lifeboat {verb}` in the recipes: {verbs:?}"
        );
    }
    assert!(commands.len() >= 12, "{commands:?}");

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    // A share path with spaces, as the systemd recipe's (one argument: `${LIFEBOAT_SHARE}`).
    let share = dir.path().join("Procédures hors ligne");
    let share = share.to_str().unwrap();
    // A fresh snapshot, so the scheduled verify finds the copy current.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    for command in &commands {
        let args: Vec<String> = command
            .iter()
            .map(|a| {
                a.replace("${LIFEBOAT_SHARE}", share)
                    .replace("$LIFEBOAT_SHARE", share)
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = lifeboat_env(dir.path(), &args, &[("SOURCE_DATE_EPOCH", &now)]);
        assert_eq!(
            run.code,
            0,
            "lifeboat {}\n{}",
            args.join(" "),
            run.transcript()
        );
    }
    assert!(Path::new(share).join("bcp-manifest.toml").is_file());
}

#[test]
fn init_takes_the_language_from_the_locale_and_says_so() {
    for (lang, expected, word) in [
        ("en_US.UTF-8", "language = \"en\"", "English"),
        ("fr_CA.UTF-8", "language = \"fr\"", "French"),
        ("de_DE.UTF-8", "language = \"fr\"", "French"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let run = lifeboat_env(
            dir.path(),
            &["init", "p"],
            &[("LANG", lang), ("LC_ALL", ""), ("LC_MESSAGES", "")],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stdout.contains(&format!("in {word}: LANG={lang}")),
            "{}",
            run.stdout
        );
        let site = fs::read_to_string(dir.path().join("p/content/site.toml")).unwrap();
        assert!(site.contains(expected), "{lang}: {site}");
    }
}

/// `git` in `dir`, with an identity (the test machine may have none); panics when it fails.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_cron_recipe_runs_as_written_with_crons_path() {
    // docs/ci-recipes.md's crontab line, run by `sh` with cron's bare PATH: only the clone's, the
    // share's and the binary's paths are replaced. It passes on a current share, and fails (exit non-zero,
    // with verify's report) once a file on the share is damaged.
    let text = fs::read_to_string(repo().join("docs/ci-recipes.md")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("17 * * * *"))
        .expect("the cron line");
    let command = line
        .splitn(6, ' ')
        .filter(|w| !w.is_empty())
        .nth(5)
        .unwrap();
    let command = line[line.find(command).unwrap()..].trim();
    assert!(
        command.contains("/usr/local/bin/lifeboat verify"),
        "{command}"
    );

    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    copy_dir(&repo().join("content"), &work.join("content"));
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "procedures"]);
    git(dir.path(), &["clone", "-q", "--bare", "work", "origin.git"]);
    git(dir.path(), &["clone", "-q", "origin.git", "srv"]);
    let srv = dir.path().join("srv");
    let share = dir.path().join("share");
    // Built and published as the CI recipe does: from the clone, the snapshot its last commit.
    let bin = env!("CARGO_BIN_EXE_lifeboat");
    for args in [
        &["build", "content", "--out", "dist", "--quiet"][..],
        &["publish", "dist", "--to", share.to_str().unwrap()],
    ] {
        let out = std::process::Command::new(bin)
            .args(args)
            .current_dir(&srv)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let command = command
        .replace("/srv/procedures", srv.to_str().unwrap())
        .replace("/mnt/share/procedures", share.to_str().unwrap())
        .replace("/usr/local/bin/lifeboat", bin);
    let cron = |command: &str| {
        std::process::Command::new("/bin/sh")
            .args(["-c", command])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", dir.path())
            .output()
            .unwrap()
    };
    let ok = cron(&command);
    assert!(
        ok.status.success(),
        "{command}\n{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        ok.stdout.is_empty(),
        "quiet when the share is intact: {}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let page = share.join("depannage.html");
    let mut bytes = fs::read(&page).unwrap();
    bytes.extend_from_slice(b"<!-- changed -->");
    fs::write(&page, bytes).unwrap();
    let damaged = cron(&command);
    assert!(
        !damaged.status.success(),
        "a damaged share must fail the cron job"
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&damaged.stdout),
        String::from_utf8_lossy(&damaged.stderr)
    );
    assert!(said.contains("depannage.html"), "{said}");
}
