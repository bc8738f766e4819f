'use strict';
// The viewer in Firefox (Debian firefox-esr, driven by puppeteer-core over WebDriver BiDi), from file://:
// the fixture and example files (packed payloads, answers, Back, search, map, images) and a locked entry
// point opened with its key (PBKDF2 and AES-GCM in Firefox's crypto.subtle). Every page must make no
// network request, log no error and break no rule of its own Content-Security-Policy.
// Ids and texts come from each file's payload, except the locked fixture's (see locked.test.js).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const FIREFOX = process.env.LIFEBOAT_FIREFOX;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function skipReason() {
  if (!FIREFOX) return 'LIFEBOAT_FIREFOX is not set (run through `cargo test --test browser` with firefox-esr installed)';
  for (const v of ['LIFEBOAT_FIXTURE_DIST', 'LIFEBOAT_DIST', 'LIFEBOAT_LOCKED_DIST']) {
    if (!process.env[v]) return `${v} is not set (run through \`cargo test --test browser\`)`;
  }
  return false;
}

describe('viewer in Firefox', { skip: skipReason() }, () => {
  let browser;

  before(async () => {
    const puppeteer = require('puppeteer-core');
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /** A new page watched like helpers.openContext watches Chromium's: requests, errors, CSP violations. */
  async function open(file, fragment = '') {
    const page = await browser.newPage();
    const problems = [];
    page.on('request', (req) => {
      if (!/^(file|data|blob|about):/i.test(req.url())) problems.push(`network request: ${req.url()}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.evaluateOnNewDocument(() => {
      window.lbViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.lbViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    await page.goto(h.fileUrl(file, fragment));
    return {
      page,
      /** Fails on any problem seen, then proves the CSP watch works: an inline script is refused. */
      async close() {
        const violations = await page.evaluate(() => window.lbViolations);
        assert.deepEqual(violations, [], `CSP violations on ${page.url()}`);
        assert.deepEqual(problems, [], `problems on ${page.url()}`);
        const probed = await page.evaluate(async () => {
          const s = document.createElement('script');
          s.textContent = 'window.lbInlineRan = true;';
          document.head.append(s);
          await new Promise((r) => setTimeout(r, 50));
          return { ran: window.lbInlineRan === true, violations: window.lbViolations.length };
        });
        assert.deepEqual(probed, { ran: false, violations: 1 }, 'the page CSP refuses an inline script, and says so');
        await page.close();
      },
    };
  }

  async function heading(page, text) {
    try {
      await page.waitForFunction(
        (t) => {
          const el = document.getElementById('lb-heading');
          return !!el && el.textContent.trim() === t;
        },
        { timeout: 10000 },
        text,
      );
    } catch (e) {
      const actual = await page.evaluate(() => {
        const el = document.getElementById('lb-heading');
        return el ? el.textContent.trim() : '(no #lb-heading)';
      });
      assert.fail(`expected heading "${text}", got "${actual}" at ${page.url()}`);
    }
  }

  function node(payload, d, n) {
    const diagram = payload.diagrams.find((x) => x.id === d);
    return diagram && diagram.nodes.find((x) => x.id === n);
  }

  /** The current route's node in the payload. */
  async function current(page, payload) {
    const [d, n] = decodeURIComponent(await page.evaluate(() => location.hash)).replace(/^#\//, '').split('/');
    return node(payload, d, n);
  }

  async function walk(entry) {
    const { payload, file } = entry;
    const html = fs.readFileSync(file, 'utf8');
    assert.match(html, /id="?lb-data"?[^>]*>\s*[^{\s]/, `${entry.id}: #lb-data is packed`);
    const s = await open(file);
    const { page } = s;
    await heading(page, payload.entry.title);
    assert.equal(await page.$$eval('.lb-diagram-link', (a) => a.length), payload.diagrams.length);

    // a diagram from the home page, then an answer within the same entry point, then Back
    await page.click('.lb-diagram-link');
    await page.waitForFunction(() => /^#\/[^~]/.test(location.hash), { timeout: 10000 });
    const first = await current(page, payload);
    assert.ok(first, `${entry.id}: the diagram link leads to a node of the payload (${page.url()})`);
    await heading(page, first.title);
    const d = payload.diagrams.find((x) => x.nodes.includes(first));
    const from = d.nodes.find((n) => n.answers.some((a) => !a.entry));
    assert.ok(from, `${entry.id}: a node with an answer in the same entry point`);
    await page.evaluate((f) => { location.hash = f; }, `#/${d.id}/${from.id}`);
    await heading(page, from.title);
    const answer = from.answers.findIndex((a) => !a.entry);
    const to = from.answers[answer];
    const target = node(payload, to.diagram, to.node);
    const targetHref = `#/${encodeURIComponent(to.diagram)}/${encodeURIComponent(to.node)}`;
    const links = await page.$$('#lb-view a.lb-answer');
    await links[answer].click();
    await heading(page, target.title);
    await page.goBack();
    await heading(page, from.title);

    // images of a node that shows one: blob: URLs, decoded
    const pictured = payload.diagrams.flatMap((x) => x.nodes.map((n) => [x, n])).find(([, n]) => /data-lb-img/.test(n.html || ''));
    if (pictured) {
      await page.evaluate((f) => { location.hash = f; }, `#/${pictured[0].id}/${pictured[1].id}`);
      await heading(page, pictured[1].title);
      await page.waitForFunction(
        () => [...document.querySelectorAll('#lb-view img[data-lb-img]')].every((i) => i.complete && i.naturalWidth > 0),
        { timeout: 10000 },
      );
      const srcs = await page.$$eval('#lb-view img[data-lb-img]', (imgs) => imgs.map((i) => i.getAttribute('src')));
      assert.ok(srcs.length > 0 && srcs.every((src) => /^blob:/.test(src)), `${entry.id}: images use blob: URLs (${srcs})`);
    }

    // search: a word of a node's title finds that node (the search texts come from #lb-more)
    const word = fold(target.title).split(/[^a-z0-9]+/).filter((w) => w.length >= 4).sort((a, b) => b.length - a.length)[0];
    if (word) {
      await page.type('#lb-search', word);
      await page.waitForFunction(() => document.querySelectorAll('#lb-results-list a').length > 0, { timeout: 10000 });
      const found = await page.$$eval('#lb-results-list a', (a) => a.map((x) => x.getAttribute('href')));
      assert.ok(found.includes(targetHref), `${entry.id}: searching "${word}" lists ${targetHref}: ${found}`);
    }

    // the map of a diagram draws its SVG
    await page.evaluate((f) => { location.hash = f; }, `#/~map/${d.id}/${from.id}`);
    await page.waitForSelector('#lb-view svg', { timeout: 10000 });
    await s.close();
  }

  it('opens the fixture files from file:// and follows answers, Back, search, images and the map', async () => {
    const list = h.entries(process.env.LIFEBOAT_FIXTURE_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry);
  });

  it('opens every entry file of the example content the same way', async () => {
    const list = h.entries(process.env.LIFEBOAT_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry);
  });

  it('unlocks a locked entry point with its key', async () => {
    const s = await open(path.join(process.env.LIFEBOAT_LOCKED_DIST, 'coffre.html'));
    const { page } = s;
    await page.waitForSelector('#lb-key');
    assert.doesNotMatch(await page.$eval('body', (b) => b.textContent), /Suspicion de fraude/);
    await page.type('#lb-key', process.env.LIFEBOAT_LOCKED_KEY);
    await page.click('#lb-unlock-submit');
    await page.waitForFunction(() => !document.getElementById('lb-key') && document.querySelectorAll('.lb-diagram-link').length > 0, {
      timeout: 30000,
    });
    assert.match(await page.$eval('#lb-view', (v) => v.textContent), /Suspicion de fraude/);
    await s.close();
  });
});
