'use strict';
// Visual regression: key views of the fixture site at 360 and 1280 px, light and dark, compared with the
// references in tests/browser/screenshots/ (pixelmatch, small tolerance for anti-aliasing).
// UPDATE_SCREENSHOTS=1 writes the references instead; review them before committing.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PNG } = require('pngjs');
const pixelmatchModule = require('pixelmatch');
const h = require('./helpers');

const pixelmatch = pixelmatchModule.default || pixelmatchModule;
const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;
const UPDATE = !!process.env.UPDATE_SCREENSHOTS;
const REFS = path.join(__dirname, 'screenshots');
/** Share of pixels allowed to differ (font hinting, anti-aliasing). */
const TOLERANCE = 0.003;

const VIEWS = [
  ['home', '#/'],
  ['node', '#/internet/voyants'],
  ['all', '#/~all/internet'],
  ['map', '#/~map/internet/voyants'],
];
const SIZES = [
  [360, 740],
  [1280, 800],
];

describe('screenshots of the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let guichet;
  let fresh;
  let out;

  before(async () => {
    guichet = path.join(DIST, 'guichet.html');
    fresh = h.readPayload(guichet).snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-screens-'));
    if (UPDATE) fs.mkdirSync(REFS, { recursive: true });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  function compare(name, actual) {
    const ref = path.join(REFS, `${name}.png`);
    if (UPDATE) {
      fs.writeFileSync(ref, actual);
      return;
    }
    assert.ok(fs.existsSync(ref), `no reference ${ref}: run with UPDATE_SCREENSHOTS=1`);
    const a = PNG.sync.read(actual);
    const b = PNG.sync.read(fs.readFileSync(ref));
    const actualFile = path.join(out, `${name}.png`);
    if (a.width !== b.width || a.height !== b.height) {
      fs.writeFileSync(actualFile, actual);
      assert.fail(`${name}: size ${a.width}×${a.height}, reference ${b.width}×${b.height} (actual: ${actualFile})`);
    }
    const diff = new PNG({ width: a.width, height: a.height });
    const n = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
    if (n > TOLERANCE * a.width * a.height) {
      fs.writeFileSync(actualFile, actual);
      const diffFile = path.join(out, `${name}.diff.png`);
      fs.writeFileSync(diffFile, PNG.sync.write(diff));
      assert.fail(`${name}: ${n} pixels differ (actual: ${actualFile}, diff: ${diffFile})`);
    }
  }

  for (const scheme of ['light', 'dark']) {
    for (const [width, height] of SIZES) {
      it(`matches the references at ${width} px, ${scheme}`, async () => {
        const s = await h.openContext(browser, { now: fresh, viewport: { width, height }, colorScheme: scheme });
        const page = await s.context.newPage();
        page.setDefaultTimeout(5000);
        for (const [name, fragment] of VIEWS) {
          await page.goto(h.fileUrl(guichet, fragment));
          await page.waitForSelector('#lb-heading');
          await page.waitForFunction(() => [...document.images].every((i) => i.complete));
          const png = await page.screenshot({
            animations: 'disabled',
            caret: 'hide',
            // the revision changes with every commit
            mask: [page.locator('.lb-banner-meta code')],
            maskColor: '#888888',
          });
          compare(`${name}-${width}-${scheme}`, png);
        }
        await s.close();
      });
    }
  }
});
