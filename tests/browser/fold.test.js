'use strict';
// The viewer folds search words as the build folds the search texts: both must give the same form for
// every word of tests/fixtures/fold-words.json (a Rust unit test of `content::markdown::fold` reads the
// same list). No browser needed: the viewer's `fold` is taken from viewer.js and run here.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** The `fold` function of viewer.js, on its own (it uses nothing else of the viewer). */
function viewerFold() {
  const source = fs.readFileSync(path.join(ROOT, 'themes', 'default', 'viewer.js'), 'utf8');
  const m = /\n( *)function fold\(s\) \{\n[\s\S]*?\n\1\}\n/.exec(source);
  assert.ok(m, 'viewer.js defines function fold(s)');
  return new Function(`${m[0]}\nreturn fold;`)();
}

it('the viewer folds every listed word as the build does', () => {
  const fold = viewerFold();
  const { words } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'fold-words.json'), 'utf8'));
  assert.ok(words.length >= 20);
  for (const w of words) assert.equal(fold(w.text), w.fold, `${JSON.stringify(w.text)} (${w.why})`);
});
