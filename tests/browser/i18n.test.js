'use strict';
// The theme's UI strings: both languages have the same keys, and every key the theme uses exists.
// No browser needed.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const THEME = path.join(__dirname, '..', '..', 'themes', 'default');

/** A flat `key = "text"` TOML table (the only shape the i18n files use). */
function strings(lang) {
  const map = {};
  const text = fs.readFileSync(path.join(THEME, 'i18n', `${lang}.toml`), 'utf8');
  text.split('\n').forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const m = /^([a-z0-9_]+) = "((?:[^"\\]|\\.)*)"$/.exec(l);
    assert.ok(m, `${lang}.toml line ${i + 1} is not key = "text": ${l}`);
    assert.ok(!(m[1] in map), `${lang}.toml: ${m[1]} twice`);
    map[m[1]] = JSON.parse(`"${m[2]}"`);
  });
  return map;
}

it('fr and en have the same keys, none empty', () => {
  const fr = strings('fr');
  const en = strings('en');
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries({ ...fr, ...en })) assert.ok(v.trim(), `${k} is empty`);
});

it('has the callout labels the build uses', () => {
  const fr = strings('fr');
  const en = strings('en');
  assert.equal(fr.callout_caution, 'Étape critique');
  assert.equal(en.callout_caution, 'Critical step');
  assert.equal(fr.callout_note, 'Contexte');
  assert.equal(en.callout_note, 'Background');
  assert.equal(fr.callout_important, 'À noter');
  assert.equal(en.callout_important, 'Write this down');
  assert.equal(fr.callout_tip, 'Astuce');
  assert.equal(en.callout_tip, 'Tip');
  assert.equal(fr.callout_warning, 'Attention');
  assert.equal(en.callout_warning, 'Warning');
});

it('every string the template and the script use exists', () => {
  const fr = strings('fr');
  const template = fs.readFileSync(path.join(THEME, 'templates', 'entry.html'), 'utf8');
  const script = ['viewer.js', 'unlock.js'].map((f) => fs.readFileSync(path.join(THEME, f), 'utf8')).join('\n');
  const used = new Set();
  for (const m of template.matchAll(/\{\{\s*t\.([a-z0-9_]+)/g)) used.add(m[1]);
  for (const m of script.matchAll(/\bS\('([a-z0-9_]+)'/g)) used.add(m[1]);
  assert.ok(used.size > 20, 'found the keys in use');
  for (const k of used) assert.ok(k in fr, `missing string ${k}`);
});

it('the template has each build marker exactly once, and no inline style or handler', () => {
  const template = fs.readFileSync(path.join(THEME, 'templates', 'entry.html'), 'utf8');
  for (const marker of [
    '<style>@@LB_STYLE@@</style>',
    '<script id="lb-data" type="application/json">@@LB_DATA@@</script>',
    '@@LB_IMAGES@@',
    '<script>@@LB_SCRIPT@@</script>',
  ]) {
    assert.equal(template.split(marker).length, 2, marker);
  }
  assert.doesNotMatch(template, /\sstyle=|\son[a-z]+=|javascript:/i);
  for (const f of ['viewer.js', 'unlock.js']) {
    const script = fs.readFileSync(path.join(THEME, f), 'utf8');
    assert.doesNotMatch(script, /\bfetch\(|XMLHttpRequest|\beval\(|new Function|style=|setAttribute\('style'/, f);
  }
});
