'use strict';
// The outage notice on a share (`lifeboat notice`): a copy of the built example, the notice set with the
// real binary, the launcher opened from file:// in Chromium (under its own CSP, no console error, axe
// clean), then "restored" with its link back to the online system, then cleared; and the link back to
// the launcher that every entry point file has, clicked.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_DIST;
const BIN = process.env.LIFEBOAT_BIN;
const NOW = 1763900000; // 2025-11-23T12:13:20Z, a day after the example's snapshot

function skip() {
  return h.skipReason('LIFEBOAT_DIST') || (!BIN && 'LIFEBOAT_BIN is not set (run through `cargo test --test browser`)');
}

describe('the outage notice on the launcher', { skip: skip() }, () => {
  let browser;
  let share;

  function lifeboat(...args) {
    return execFileSync(BIN, args, {
      env: { ...process.env, LIFEBOAT_NOW: String(NOW) },
      encoding: 'utf8',
    });
  }

  before(async () => {
    share = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-notice-'));
    fs.cpSync(DIST, share, { recursive: true });
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (share) fs.rmSync(share, { recursive: true, force: true });
  });

  async function launcher(s) {
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(path.join(share, 'index.html')));
    return page;
  }

  it('shows a notice at the top, with its time and author, escaped', async () => {
    lifeboat('notice', share, 'Le CRM est indisponible depuis 9h10. <script>alert(1)</script>', '--by', 'Cellule de continuité');
    const s = await h.openContext(browser, { now: NOW * 1000 });
    const page = await launcher(s);
    await h.checkCsp(page);
    await h.checkNoStyleAttributes(page);
    const notice = page.locator('#lb-notice');
    assert.ok(await notice.isVisible(), 'the notice is visible');
    const first = await page.evaluate(() => document.querySelector('main').firstElementChild.id);
    assert.equal(first, 'lb-notice', 'the notice comes first in the page');
    assert.equal((await page.locator('#lb-notice-heading').textContent()).trim(), 'Avis de la cellule de continuité');
    assert.equal(
      (await page.locator('#lb-notice .notice-text').textContent()).trim(),
      'Le CRM est indisponible depuis 9h10. <script>alert(1)</script>',
    );
    const meta = (await page.locator('#lb-notice .notice-meta').textContent()).trim();
    assert.match(meta, /23 novembre 2025 à 12:13 \(UTC\), par Cellule de continuité/);
    assert.equal(await page.locator('#lb-notice time').getAttribute('datetime'), '2025-11-23T12:13:20Z');
    assert.equal(await page.locator('#lb-notice a').count(), 0, 'an outage notice has no link back');
    assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 1);
    await s.close();
  });

  for (const scheme of ['light', 'dark']) {
    it(`has no axe violations with a notice, ${scheme}`, async () => {
      lifeboat('notice', share, 'Le CRM est indisponible depuis 9h10.', '--by', 'Cellule de continuité');
      const s = await h.openContext(browser, { now: NOW * 1000, bypassCSP: true, colorScheme: scheme });
      let page = await launcher(s);
      await h.checkAxe(page, `launcher with a notice (${scheme})`);
      lifeboat('notice', share, '--restored', 'Service rétabli : retournez sur l\'outil habituel.');
      page = await launcher(s);
      await h.checkAxe(page, `launcher with a restored notice (${scheme})`);
      await s.close();
    });
  }

  it('says "restored" with a prominent link back to the online system, then clears', async () => {
    lifeboat('notice', share, '--restored', 'Service rétabli : retournez sur l\'outil habituel.', '--by', 'Cellule de continuité');
    const online = /^online_url = "([^"]+)"$/m.exec(fs.readFileSync(path.join(share, 'bcp-manifest.toml'), 'utf8'))[1];
    const s = await h.openContext(browser, { now: NOW * 1000 });
    let page = await launcher(s);
    assert.equal((await page.locator('#lb-notice-heading').textContent()).trim(), 'Service rétabli');
    const back = page.locator('#lb-notice .notice-back a');
    assert.ok(await back.isVisible(), 'the link back is visible');
    assert.equal(await back.getAttribute('href'), online);
    assert.equal((await back.textContent()).trim(), 'Retourner à l\'outil habituel');
    const size = await back.evaluate((a) => parseFloat(getComputedStyle(a).fontSize));
    const body = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(size > body, `the link back is larger than the text (${size} > ${body})`);
    lifeboat('notice', share, '--clear');
    page = await launcher(s);
    assert.equal(await page.locator('#lb-notice').count(), 0, 'no notice once cleared');
    assert.deepEqual(fs.readFileSync(path.join(share, 'index.html')), fs.readFileSync(path.join(DIST, 'index.html')));
    await s.close();
  });

  it('is reached from every entry point file by its link back to the launcher', async () => {
    lifeboat('notice', share, 'Panne du CRM.');
    const s = await h.openContext(browser, { now: NOW * 1000 });
    const page = await s.context.newPage();
    for (const e of h.entries(share)) {
      await page.goto(h.fileUrl(e.file));
      const link = page.locator('#lb-launcher');
      assert.ok(await link.isVisible(), `${e.id}: the link back to the launcher is visible`);
      assert.equal((await link.textContent()).trim(), 'Avis et autres procédures');
      await link.click();
      await page.waitForURL(/index\.html$/);
      assert.equal((await page.locator('#lb-notice .notice-text').textContent()).trim(), 'Panne du CRM.');
    }
    await s.close();
  });
});
