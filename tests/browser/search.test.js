'use strict';
// Search across the whole copy (issue 24), in Chromium: each entry file carries the index of every open
// sibling entry point (#lb-bundle), so a search from the home page finds a step of another entry point
// by one of its answers and opens that file at the step; snippets mark the words found; a locked
// entry point is never in another file's index. On the example content ($LIFEBOAT_DIST, ids and texts
// read from the payloads) and tests/fixtures/desk-en ($LIFEBOAT_DESK_DIST: one open and one locked entry
// point). Every page: no network request, no console error (helpers.openContext).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_DIST;
const DESK = process.env.LIFEBOAT_DESK_DIST;

describe('search across the whole copy', { skip: h.skipReason('LIFEBOAT_DIST') || h.skipReason('LIFEBOAT_DESK_DIST') }, () => {
  let browser;

  before(async () => {
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function open(file, fragment = '#/', opts = {}) {
    const s = await h.openContext(browser, opts);
    const page = await s.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(h.fileUrl(file, fragment));
    await page.waitForSelector('#lb-heading');
    return { ...s, page };
  }

  async function searchFor(page, query) {
    await page.locator('#lb-search').fill(query);
    await page.waitForFunction(() => document.getElementById('lb-search-status').textContent !== ''
      && !document.getElementById('lb-results-list').hasAttribute('aria-busy'));
  }

  it('a search from the home page finds a step of another entry point by one of its answers, and opens it', async () => {
    const c = h.siblingAnswerCase(DIST);
    assert.ok(c, 'the example has an answer to search for');
    const s = await open(c.from);
    const { page } = s;
    await searchFor(page, c.query);
    const hit = page.locator(`#lb-results-list a[href="${c.href}"]`);
    assert.equal(await hit.count(), 1, `"${c.query}" lists ${c.href}`);
    // Labelled with its entry point, then its diagram and step.
    assert.equal(await hit.textContent(), `${c.entryTitle} › ${c.diagramTitle} › ${c.title}`);
    // The snippet shows the answer with the words found marked.
    const item = page.locator('#lb-results-list li', { has: page.locator(`a[href="${c.href}"]`) });
    const snippet = item.locator('.lb-result-snippet');
    assert.match((await snippet.textContent()).replace(/\s+/g, ' '), new RegExp(c.query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const marks = await snippet.locator('mark.lb-hit').allTextContents();
    const fold = (t) => t.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    assert.ok(marks.length >= c.words.length, `every word marked: ${JSON.stringify(marks)}`);
    assert.ok(marks.every((m) => c.words.some((w) => fold(m).includes(w))), `only the words searched are marked: ${JSON.stringify(marks)}`);
    await hit.click();
    await page.waitForURL((u) => u.href.endsWith(c.href));
    await h.waitHeading(page, c.title);
    await s.close();
  });

  it('ranks title hits first, this file before its siblings, and marks the words in titles and snippets', async () => {
    const list = h.entries(DIST);
    const [own, other] = list;
    // A word of a sibling's step title that is also in this file's texts.
    const n = other.payload.diagrams[0].nodes[0];
    const word = n.title.split(/\s+/).sort((a, b) => b.length - a.length)[0];
    const s = await open(own.file);
    const { page } = s;
    await searchFor(page, word);
    const rows = await page.$$eval('#lb-results-list li', (lis) => lis.map((li) => ({
      title: li.querySelector('.lb-result-node').textContent,
      other: li.classList.contains('lb-result-other'),
      inTitle: !!li.querySelector('.lb-result-node mark'),
      hits: [...li.querySelectorAll('mark')].map((m) => m.textContent),
    })));
    assert.ok(rows.some((r) => r.other && r.title === n.title), `the sibling's step is listed: ${JSON.stringify(rows)}`);
    const firstText = rows.findIndex((r) => !r.inTitle);
    assert.ok(firstText < 0 || rows.slice(firstText).every((r) => !r.inTitle), 'title hits first');
    const titled = rows.filter((r) => r.inTitle);
    const firstOther = titled.findIndex((r) => r.other);
    assert.ok(firstOther < 0 || titled.slice(firstOther).every((r) => r.other), 'this file\'s title hits before its siblings\'');
    assert.ok(rows.every((r) => r.hits.length > 0), 'every result shows the word marked');
    await s.close();
  });

  it('shows a screenful of results in the keystroke\'s task, the rest once typing pauses, never a stale rest', async () => {
    const [own] = h.entries(DIST);
    const s = await open(own.file);
    const { page } = s;
    const type = (q) => page.evaluate((text) => {
      const input = document.getElementById('lb-search');
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const list = document.getElementById('lb-results-list');
      return { n: list.children.length, busy: list.getAttribute('aria-busy'), status: document.getElementById('lb-search-status').textContent };
    }, q);
    await page.locator('#lb-search').focus();
    await page.waitForFunction(() => performance.getEntriesByName('lb-search-ready').length > 0);
    const first = await type('e');
    assert.equal(first.n, 12, `a screenful at once: ${JSON.stringify(first)}`);
    assert.equal(first.busy, 'true');
    // The next keystroke before the pause: the first query's rest is never added to the new results.
    const words = await type('e zzqxw');
    assert.deepEqual(words, { n: 0, busy: null, status: words.status });
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#lb-results-list li').count(), 0, 'no stale results');
    await type('e');
    await page.waitForFunction(() => !document.getElementById('lb-results-list').hasAttribute('aria-busy'));
    const all = await page.locator('#lb-results-list li').count();
    assert.ok(all > 12 && all <= 50, `the rest, up to 50: ${all}`);
    assert.match(first.status, new RegExp(String(Math.min(all, 50))), `the status counts what is listed: ${first.status}`);
    await s.close();
  });

  it('never indexes a locked entry point in another file', async () => {
    // desk-en: `cards` is open, `fraud` is locked. cards.html carries no index of fraud; fraud.html
    // carries cards' (outside its sealed payload: it is what cards.html shows anyone).
    const cards = fs.readFileSync(path.join(DESK, 'cards.html'), 'utf8');
    assert.ok(!cards.includes('id="lb-bundle"'), 'no sibling index: the only sibling is locked');
    const fraud = fs.readFileSync(path.join(DESK, 'fraud.html'), 'utf8');
    const m = /<script id="lb-bundle" type="application\/json">([^<]*)<\/script>/.exec(fraud);
    assert.ok(m, 'the locked file carries the open sibling\'s index');
    assert.deepEqual(m[1].split(' ').map((t) => h.unpack(`${t}`)).map((seg) => seg[0]), ['cards']);
    const s = await open(path.join(DESK, 'cards.html'));
    const { page } = s;
    await searchFor(page, 'Verify the unknown payments');
    const hrefs = await page.$$eval('#lb-results-list a', (a) => a.map((x) => x.getAttribute('href')));
    assert.ok(hrefs.every((x) => !x.startsWith('fraud.html')), `no hit in the locked file: ${hrefs}`);
    await s.close();
  });

  it('passes axe with snippets and marks in the results, light and dark', async () => {
    const c = h.siblingAnswerCase(DIST);
    for (const colorScheme of ['light', 'dark']) {
      const s = await open(c.from, '#/', { bypassCSP: true, colorScheme });
      await searchFor(s.page, c.query);
      await s.page.waitForSelector('.lb-result-snippet mark');
      await h.checkAxe(s.page, `search results (${colorScheme})`);
      await s.close();
    }
  });
});
