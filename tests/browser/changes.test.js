'use strict';
// What changed in this copy (tests/fixtures/changes): tests/browser.rs builds `before`, then `after`
// compared with it (`--previous`) into $LIFEBOAT_CHANGES_DIST (key $LIFEBOAT_LOCKED_KEY for the locked
// `vault`), and `before` alone into $LIFEBOAT_CHANGES_BEFORE_DIST (no previous copy: nothing is shown).
// In `after`: cards/stolen (text) and cards/lost (an answer) edited, cards/replacement added, pins/done's
// image renamed, pins/reset and pins/other only reordered, the diagram `gone` deleted, vault's
// fraud/confirmed edited.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_CHANGES_DIST;
const BEFORE = process.env.LIFEBOAT_CHANGES_BEFORE_DIST;
const KEY = process.env.LIFEBOAT_LOCKED_KEY || '';
/** The previous copy's date as the viewer writes it (the page's language, the browser's locale data). */
// The previous copy's date in words, as the documents and the launcher write it (documents/en.toml).
const DAY = '22 November 2025';

describe('what changed in this copy', { skip: h.skipReason('LIFEBOAT_CHANGES_DIST') }, () => {
  let browser;

  before(async () => {
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function open(file, fragment = '', options = {}) {
    const s = await h.openContext(browser, options);
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(file, fragment));
    await page.locator('#lb-heading').waitFor();
    return { ...s, page };
  }

  async function badge(page) {
    const b = page.locator('#lb-view [data-lb-change]');
    return (await b.count()) ? (await b.first().textContent()).trim() : null;
  }

  it('marks exactly the new and changed steps, each with its badge', async () => {
    const s = await open(path.join(DIST, 'desk.html'));
    const { page } = s;
    const expected = {
      'cards/start': null,
      'cards/lost': `Changed since the copy of ${DAY}`,
      'cards/replacement': `New since the copy of ${DAY}`,
      'cards/stolen': `Changed since the copy of ${DAY}`,
      'cards/blocked': null,
      'pins/reset': null,
      'pins/other': null,
      'pins/done': `Changed since the copy of ${DAY}`,
    };
    for (const [route, text] of Object.entries(expected)) {
      await page.goto(h.fileUrl(path.join(DIST, 'desk.html'), '#/' + route));
      await page.waitForFunction((r) => location.hash === '#/' + r && !!document.getElementById('lb-heading'), route);
      assert.equal(await badge(page), text, route);
    }
    await s.close();
  });

  it('the home page counts the changes per diagram and links to the list', async () => {
    const s = await open(path.join(DIST, 'desk.html'));
    const { page } = s;
    const counts = await page.$$eval('.lb-diagram', (items) => items.map((li) => {
      const c = li.querySelector('[data-lb-changes-count]');
      return [li.getAttribute('data-diagram'), c ? c.textContent.trim() : null];
    }));
    assert.deepEqual(counts, [['cards', '3 steps new or changed'], ['pins', '1 step new or changed']]);
    const link = page.getByRole('link', { name: 'What changed in this copy (6)' });
    await link.click();
    await h.waitHeading(page, 'What changed in this copy');
    assert.equal(await h.hash(page), '#/~changes');
    const sections = await page.$$eval('.lb-changes-section', (els) => els.map((el) => ({
      title: el.querySelector('h2').textContent.trim(),
      items: [...el.querySelectorAll('li')].map((li) => li.textContent.trim()),
    })));
    assert.deepEqual(sections, [
      { title: 'Steps added (1)', items: ['Cards › Replacement card'] },
      { title: 'Steps changed (3)', items: ['Cards › Lost card', 'Cards › Stolen card', 'PIN codes › PIN sent'] },
      { title: 'Steps removed (2)', items: ['Old offer', 'Old offer, part two'] },
      { title: 'Diagrams removed (1)', items: ['Old card offers'] },
    ]);
    assert.ok((await page.locator('#lb-view .lb-desc').first().textContent()).startsWith(`Compared with the copy of ${DAY}`));
    // A changed step's link opens it; Back returns to the list.
    await page.getByRole('link', { name: 'Cards › Stolen card' }).click();
    await h.waitHeading(page, 'Stolen card');
    await page.goBack();
    await h.waitHeading(page, 'What changed in this copy');
    await h.checkCsp(page);
    await s.close();
  });

  it('the whole-diagram view marks its changed steps', async () => {
    const s = await open(path.join(DIST, 'desk.html'), '#/~all/cards');
    const marks = await s.page.$$eval('.lb-all-title', (els) => els.map((el) => {
      const b = el.querySelector('[data-lb-change]');
      return b ? b.textContent.trim() : '';
    }));
    assert.deepEqual(marks, ['', 'Changed', 'New', 'Changed', '']);
    await s.close();
  });

  it('passes axe on the list and on a marked step', async () => {
    const s = await open(path.join(DIST, 'desk.html'), '#/~changes', { bypassCSP: true });
    await h.checkAxe(s.page, 'the changes view');
    await s.page.goto(h.fileUrl(path.join(DIST, 'desk.html'), '#/cards/lost'));
    await h.waitHeading(s.page, 'Lost card');
    await h.checkAxe(s.page, 'a changed step');
    await s.close();
  });

  it('a locked entry point shows its own changes once unlocked', async () => {
    assert.ok(KEY, 'LIFEBOAT_LOCKED_KEY is set');
    const s = await h.openContext(browser);
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(path.join(DIST, 'vault.html')));
    await page.locator('#lb-key').fill(KEY);
    await page.locator('#lb-key').press('Enter');
    await h.waitHeading(page, 'Fraud vault');
    await page.getByRole('link', { name: 'What changed in this copy (1)' }).click();
    await h.waitHeading(page, 'What changed in this copy');
    const items = await page.$$eval('.lb-changes-list li', (els) => els.map((el) => el.textContent.trim()));
    assert.deepEqual(items, ['Suspected fraud › Identity confirmed']);
    await s.close();
  });

  it('says nothing without a previous copy', { skip: !BEFORE && 'LIFEBOAT_CHANGES_BEFORE_DIST is not set' }, async () => {
    const s = await open(path.join(BEFORE, 'desk.html'));
    const { page } = s;
    assert.equal(await page.locator('[data-lb-changes], [data-lb-changes-count]').count(), 0);
    await page.goto(h.fileUrl(path.join(BEFORE, 'desk.html'), '#/cards/lost'));
    await h.waitHeading(page, 'Lost card');
    assert.equal(await badge(page), null);
    await page.goto(h.fileUrl(path.join(BEFORE, 'desk.html'), '#/~changes'));
    await h.waitHeading(page, 'Page not found');
    await s.close();
  });
});
