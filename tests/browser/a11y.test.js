'use strict';
// Accessibility of the viewer on the fixture site: axe-core (WCAG 2.2 A/AA) on every kind of view, in
// light, dark and forced colours; the same pages under their own CSP without console errors; keyboard use.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;

/** Views of guichet.html checked by axe: [name, fragment, action to run once the page shows]. */
const VIEWS = [
  ['home', '#/'],
  ['node', '#/internet/voyants'],
  ['end point', '#/internet/resolu'],
  ['search results', '#/', async (page) => {
    await page.locator('#lb-search').fill('modem');
    await page.waitForSelector('#lb-results a');
  }],
  ['whole diagram', '#/~all/internet'],
  ['map', '#/~map/internet/voyants'],
  ['print everything', '#/~print'],
  ['not found', '#/internet/nope'],
];

/** Other pages of the output, when the build writes them (plain documents, no viewer). */
const EXTRA_PAGES = ['index.html', 'contingency.html'];

describe('accessibility on the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let guichet;
  let fresh;

  before(async () => {
    guichet = path.join(DIST, 'guichet.html');
    fresh = h.readPayload(guichet).snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function show(page, file, fragment, action) {
    await page.goto(h.fileUrl(file, fragment));
    if (file === guichet) await page.waitForSelector('#lb-heading');
    if (action) await action(page);
  }

  for (const scheme of ['light', 'dark', 'forced']) {
    it(`has no axe violations (WCAG 2.2 AA), ${scheme}`, async () => {
      const opts = scheme === 'forced'
        ? { forcedColors: 'active', colorScheme: 'light' }
        : { colorScheme: scheme };
      const s = await h.openContext(browser, { now: fresh, bypassCSP: true, ...opts });
      const page = await s.context.newPage();
      for (const [name, fragment, action] of VIEWS) {
        await show(page, guichet, fragment, action);
        await h.checkAxe(page, `${name} (${fragment}, ${scheme})`);
      }
      for (const extra of EXTRA_PAGES) {
        const file = path.join(DIST, extra);
        if (!fs.existsSync(file)) continue;
        await show(page, file, '');
        await h.checkAxe(page, `${extra} (${scheme})`);
      }
      await s.close();
    });
  }

  it('shows every view under its own CSP without console errors', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    for (const [, fragment, action] of VIEWS) {
      await show(page, guichet, fragment, action);
      await h.checkCsp(page);
      await h.checkNoStyleAttributes(page);
    }
    for (const extra of EXTRA_PAGES) {
      const file = path.join(DIST, extra);
      if (fs.existsSync(file)) await show(page, file, '');
    }
    await s.close(); // fails on any console error, page error or network request
  });

  it('reaches every control by Tab, each with a visible focus indicator', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    for (const fragment of ['#/', '#/internet/voyants', '#/~all/internet', '#/~map/internet/voyants']) {
      await show(page, guichet, fragment);
      const controls = await page.evaluate(() =>
        [...document.querySelectorAll('a[href], button, input, [tabindex="0"]')]
          .filter((e) => e.getClientRects().length > 0 && !e.closest('[hidden]'))
          .map((e) => e.id || e.getAttribute('href') || e.textContent.trim()),
      );
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      await page.evaluate(() => window.scrollTo(0, 0));
      const reached = new Set();
      const unfocused = [];
      for (let i = 0; i < controls.length + 8; i++) {
        await page.keyboard.press('Tab');
        const info = await page.evaluate(() => {
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const cs = getComputedStyle(e);
          const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
          return { key: e.id || e.getAttribute('href') || e.textContent.trim(), visible };
        });
        if (!info) continue;
        reached.add(info.key);
        if (!info.visible) unfocused.push(info.key);
      }
      const missed = controls.filter((c) => !reached.has(c));
      assert.deepEqual(missed, [], `controls not reached by Tab on ${fragment}`);
      assert.deepEqual([...new Set(unfocused)], [], `controls without a visible focus indicator on ${fragment}`);
    }
    await s.close();
  });

  it('moves focus to the new heading and announces each step, nothing stale', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    await show(page, guichet, '#/internet/voyants');
    // The first view's own announcement (60 ms after it is shown) is not one of the steps below.
    await page.waitForFunction(() => document.getElementById('lb-announce').textContent === 'Vérifier les voyants');
    // Every text the live region shows, with the heading shown at that moment.
    await page.evaluate(() => {
      window.lbHeard = [];
      const region = document.getElementById('lb-announce');
      new MutationObserver(() => {
        const hd = document.getElementById('lb-heading');
        if (region.textContent) window.lbHeard.push([region.textContent, hd ? hd.textContent : '']);
      }).observe(region, { childList: true, characterData: true, subtree: true });
    });
    assert.equal(await page.locator('#lb-announce').getAttribute('aria-live'), 'polite');
    const steps = [
      ['1', 'Redémarrer le modem'],
      ['1', 'Problème résolu'],
      ['Alt+ArrowLeft', 'Redémarrer le modem'],
      ['Backspace', 'Vérifier les voyants'],
      ['2', 'Vérifier les câbles'],
    ];
    for (const [key, title] of steps) {
      await page.keyboard.press(key);
      await h.waitHeading(page, title);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading', `focus after ${key}`);
      await page.waitForFunction((t) => document.getElementById('lb-announce').textContent === t, title);
    }
    const heard = await page.evaluate(() => window.lbHeard);
    assert.deepEqual(heard.map((x) => x[0]), steps.map((x) => x[1]), 'each step announced once');
    for (const [said, shown] of heard) assert.equal(said, shown, 'announced what is shown, nothing stale');
    // two quick steps: only the last one is announced
    await page.evaluate(() => { window.lbHeard = []; });
    await page.keyboard.press('1');
    await page.keyboard.press('Alt+ArrowLeft');
    await h.waitHeading(page, 'Vérifier les câbles');
    await page.waitForTimeout(250);
    const last = await page.evaluate(() => window.lbHeard);
    for (const [said, shown] of last) assert.equal(said, shown, 'announced what is shown, nothing stale');
    assert.equal(await page.locator('#lb-announce').textContent(), 'Vérifier les câbles');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-search');
    await s.close();
  });

  it('follows the system colour scheme, with a toggle remembered per bundle', async () => {
    const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const s = await h.openContext(browser, { now: fresh, colorScheme: 'light', bypassCSP: true });
    const page = await s.context.newPage();
    await show(page, guichet, '#/internet/voyants');
    const toggle = page.locator('#lb-scheme');
    assert.equal(await bg(page), 'rgb(255, 255, 255)');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.notEqual(await bg(page), 'rgb(255, 255, 255)');
    await h.checkAxe(page, 'node, dark by the toggle');
    assert.equal(await page.evaluate(() => localStorage.getItem('lifeboat:scheme:guichet')), 'dark');
    await page.reload();
    await page.waitForSelector('#lb-heading');
    assert.notEqual(await bg(page), 'rgb(255, 255, 255)', 'remembered after reload');
    // another bundle opened from the same folder keeps its own choice
    await page.goto(h.fileUrl(path.join(DIST, 'escalade.html'), '#/'));
    await page.waitForSelector('#lb-heading');
    assert.equal(await bg(page), 'rgb(255, 255, 255)');
    // back to light = back to following the system
    await page.goto(h.fileUrl(guichet, '#/'));
    await page.waitForSelector('#lb-heading');
    await toggle.click();
    assert.equal(await bg(page), 'rgb(255, 255, 255)');
    assert.equal(await page.evaluate(() => localStorage.getItem('lifeboat:scheme:guichet')), null);
    // paper stays light whatever the screen shows
    await toggle.click();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await bg(page), 'rgb(255, 255, 255)');
    await s.close();
  });

  it('has a skip link first, and a Map control on every node', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    const payload = h.readPayload(guichet);
    for (const d of payload.diagrams) {
      for (const n of d.nodes) {
        await show(page, guichet, `#/${d.id}/${n.id}`);
        const map = page.locator('.lb-controls [data-lb-map]');
        assert.equal(await map.getAttribute('href'), `#/~map/${d.id}/${n.id}`, `${d.id}/${n.id}`);
      }
    }
    const fresh2 = await s.context.newPage();
    await show(fresh2, guichet, '#/~map/internet');
    await fresh2.keyboard.press('Tab');
    assert.equal(await fresh2.evaluate(() => document.activeElement.id), 'lb-skip');
    await fresh2.keyboard.press('Enter');
    assert.equal(await fresh2.evaluate(() => document.activeElement.id), 'lb-heading');
    await s.close();
  });
});
