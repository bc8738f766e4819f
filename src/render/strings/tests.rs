use std::path::Path;

use super::{prefixed_names, template_keys, used_keys, verify, BUILD_KEYS};
use crate::content::config::Language;
use crate::theme::Theme;

#[test]
fn the_builtin_theme_has_every_string_it_uses_in_both_languages() {
    for language in [Language::Fr, Language::En] {
        let theme = Theme::builtin(language).unwrap();
        assert!(used_keys(&theme).len() > 30);
        verify(&theme, language, None).unwrap();
    }
}

#[test]
fn a_key_a_script_uses_and_no_strings_file_defines_is_an_error_naming_both() {
    let mut theme = Theme::builtin(Language::En).unwrap();
    theme
        .js
        .push_str("\nfunction later() { return cx.S('no_such_string'); }\n");
    let error = verify(&theme, Language::En, None).unwrap_err();
    assert_eq!(error.key, "no_such_string");
    assert_eq!(
        error.to_string(),
        "UI string `no_such_string` is missing: the default theme's `viewer.js` uses it, and no strings \
         file defines it; add `no_such_string = \"…\"` to `_theme/i18n/en.toml`"
    );
}

#[test]
fn a_key_the_template_uses_is_checked_too() {
    let mut theme = Theme::builtin(Language::Fr).unwrap();
    theme
        .template
        .push_str("{% if page.x %}{{ t.not_there | upper }}{% endif %}");
    let error = verify(&theme, Language::Fr, None).unwrap_err();
    assert_eq!(error.key, "not_there");
    assert!(error.used_in.contains("templates/entry.html"), "{error}");
}

#[test]
fn only_whole_names_count() {
    assert_eq!(
        prefixed_names("S('a_1') xS('b') cx.S('c') S(\"d\")", "S('", true),
        ["a_1", "c"]
    );
    assert_eq!(
        template_keys("t.text {{ t.one }} {{ page.t.two }} {% if t.three %}{ t.four }"),
        ["one", "three"]
    );
}

#[test]
fn every_string_the_build_looks_up_is_listed() {
    // The literal keys given to `Theme::string`, and the callout keys, in render/.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render");
    let mut found = Vec::new();
    for file in ["html.rs", "locked.rs", "map.rs"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        // `string("key")`: the key after the quote; `"callout_…"`: the whole literal.
        for (prefix, skip) in [("string(\"", 8), ("\"callout_", 1)] {
            for (at, _) in text.match_indices(prefix) {
                let key = text[at + skip..].split('"').next().unwrap_or_default();
                found.push(key.to_string());
            }
        }
    }
    assert!(found.len() >= 8, "{found:?}");
    for key in found {
        assert!(
            BUILD_KEYS.iter().any(|(k, _)| *k == key),
            "`{key}` is not in BUILD_KEYS"
        );
    }
}
