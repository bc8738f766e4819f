'use strict';
// Shared helpers of the browser tests (not a test file: node --test only runs *.test.js here).

const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { pathToFileURL } = require('node:url');
const zlib = require('node:zlib');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.LIFEBOAT_CHROMIUM || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** Why a suite cannot run (a string for node:test's `skip`), or false. */
function skipReason(envVar) {
  if (!process.env[envVar]) return `${envVar} is not set (run through \`cargo test --test browser\`)`;
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  return false;
}

function fileUrl(file, hash = '') {
  return pathToFileURL(file).href + hash;
}

/** The JSON of a payload element's text: plain (as #lb-data is), or packed (zlib, then base64) as
 * #lb-nodes and #lb-more of an open entry point are (what the viewer's lbUnpack does). */
function unpack(text) {
  const t = text.trim();
  return JSON.parse(t.startsWith('{') ? t : zlib.inflateSync(Buffer.from(t, 'base64')).toString('utf8'));
}

/** The JSON payload of a built entry file, read from disk, with what an open entry point keeps after
 * the viewer script merged back in, as the viewer does: #lb-nodes (each diagram's nodes) and #lb-more
 * (each node's `search`, each diagram's `map`). */
function readPayload(file) {
  const html = fs.readFileSync(file, 'utf8');
  const m = /<script\b[^>]*\bid=["']?lb-data["']?[^>]*>([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, `${file}: no #lb-data script`);
  const data = unpack(m[1]);
  const nodes = /<script\b[^>]*\bid=["']?lb-nodes["']?[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (nodes && data && Array.isArray(data.diagrams)) {
    const all = unpack(nodes[1]).nodes;
    data.diagrams.forEach((d, i) => { d.nodes = all[i]; });
    delete data.nodes_later;
  }
  const more = /<script\b[^>]*\bid=["']?lb-more["']?[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (more && data && Array.isArray(data.diagrams)) {
    const extra = unpack(more[1]);
    data.diagrams.forEach((d, i) => {
      if (extra.map[i]) d.map = extra.map[i];
      d.nodes.forEach((n, j) => { n.search = extra.search[i][j]; });
    });
  }
  return data;
}

/** Entry files of a dist folder: [{ id, file, payload }]. */
function entries(dist) {
  return fs
    .readdirSync(dist)
    // Entry points are the HTML files with a viewer payload (not index.html or contingency.html).
    .filter((f) => f.endsWith('.html') && /id="?lb-data/.test(fs.readFileSync(path.join(dist, f), 'utf8')))
    .sort()
    .map((f) => {
      const file = path.join(dist, f);
      return { id: f.slice(0, -5), file, payload: readPayload(file) };
    })
    .filter((e) => e.payload && Array.isArray(e.payload.diagrams));
}

/**
 * A fresh browser context whose every page is watched: any request that is not file:, data: or blob:,
 * any console error (CSP violations are reported there) and any uncaught page error is a problem.
 * `now` (ms since epoch) fixes the page clock (Date.now, new Date) without stopping timers.
 */
async function openContext(browser, { now, viewport, colorScheme, forcedColors, bypassCSP, allowErrors = false } = {}) {
  const context = await browser.newContext({
    viewport: viewport || { width: 1000, height: 800 },
    colorScheme,
    forcedColors,
    bypassCSP,
  });
  const problems = [];
  const visited = new Set();
  context.on('page', (page) => {
    page.on('request', (req) => {
      const url = req.url();
      if (!/^(file|data|blob):/i.test(url)) problems.push(`network request: ${url}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !allowErrors) problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => {
      if (!allowErrors) problems.push(`page error: ${err.message}`);
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.add(frame.url());
    });
  });
  if (now !== undefined) await context.clock.setFixedTime(new Date(now));
  return {
    context,
    problems,
    visited,
    /** Closes the context and fails if anything went wrong on any page. */
    async close() {
      await context.close();
      assert.deepEqual(problems, [], `problems on ${[...visited].join(', ')}`);
    },
  };
}

async function headingText(page) {
  const h = page.locator('#lb-heading');
  return (await h.textContent()).trim();
}

async function waitHeading(page, text, timeout = 5000) {
  try {
    await page.waitForFunction(
      (t) => {
        const h = document.getElementById('lb-heading');
        return !!h && h.textContent.trim() === t;
      },
      text,
      { timeout },
    );
  } catch (e) {
    const actual = await page.evaluate(() => {
      const h = document.getElementById('lb-heading');
      return h ? h.textContent.trim() : '(no #lb-heading)';
    });
    assert.fail(`expected heading "${text}", got "${actual}" at ${page.url()}`);
  }
}

/** The fragment of the page's URL ("#/diagram/node"). */
async function hash(page) {
  return page.evaluate(() => location.hash);
}

/** Checks the page's CSP meta tag. */
async function checkCsp(page) {
  const csp = await page.evaluate(() => {
    const m = document.querySelector('meta[http-equiv="Content-Security-Policy" i]');
    return m ? m.getAttribute('content') : null;
  });
  assert.ok(csp, 'no CSP meta tag');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
}

/** No element carries a style attribute (the CSP would block it). */
async function checkNoStyleAttributes(page) {
  const n = await page.evaluate(() => document.querySelectorAll('[style]').length);
  assert.equal(n, 0, 'elements with a style attribute');
}

async function checkNoHorizontalScroll(page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `page scrolls sideways at ${page.url()}: ${scroll} > ${client}`);
}

/** Images of the current view: each must have a blob: src and have loaded. */
async function checkImagesLoaded(page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#lb-view img[data-lb-img]')].every((i) => i.complete),
  );
  const imgs = await page.evaluate(() =>
    [...document.querySelectorAll('#lb-view img[data-lb-img]')].map((i) => ({
      id: i.getAttribute('data-lb-img'),
      src: i.getAttribute('src') || '',
      width: i.naturalWidth,
    })),
  );
  for (const img of imgs) {
    assert.match(img.src, /^blob:/, `image ${img.id} has no blob: src`);
    assert.ok(img.width > 0, `image ${img.id} did not load`);
  }
  return imgs;
}

const AXE_SOURCE = (() => {
  try {
    return fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  } catch (e) {
    return null;
  }
})();

/** WCAG 2.2 A and AA rules (axe tags). */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/**
 * Runs axe-core on the page as it is now and fails on any violation. The page's context must be opened
 * with `bypassCSP: true` (the page's CSP forbids the injected script otherwise).
 */
async function checkAxe(page, what) {
  assert.ok(AXE_SOURCE, 'axe-core is not installed (npm ci in tests/browser)');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\s+/g, ' ')).join('\n    ')}`,
  );
  assert.deepEqual(found, [], `axe violations on ${what || page.url()}`);
}

/**
 * A step of another open entry point that a search finds by one of its answers (issue 24): from the
 * first entry file of `dist`, `query` is an answer label of a step of a sibling file, with words that
 * are not all in that step's title, text, diagram title or tags (so only its answers match) and that
 * at most 20 steps of the bundle match (all shown). `href` is the result's link, `words` the folded
 * words a snippet marks. Null when the bundle has no such answer.
 */
function siblingAnswerCase(dist) {
  const fold = (s) => String(s || '').normalize('NFD').replace(/\p{M}/gu, '').replace(/\u03a3/g, '\u03c3').toLowerCase();
  const split = (q) => fold(q).split(/[\s.,;:!?'"«»()\u2019]+/).filter(Boolean);
  const list = entries(dist).filter((e) => !e.payload.locked);
  const all = list.flatMap((e) => e.payload.diagrams.flatMap((d) => d.nodes.map((n) => ({
    e, d, n, hay: fold([n.title, n.search, d.title, (d.tags || []).join(', ')].join('\n')),
  }))));
  const from = list[0];
  for (const c of all) {
    if (c.e === from) continue;
    const text = c.n.html.replace(/<[^>]+>|&[#\w]+;/g, ' ');
    const body = fold([c.n.title, text, c.d.title, (c.d.tags || []).join(' ')].join(' '));
    for (const a of c.n.answers) {
      const words = split(a.label);
      if (words.length < 2 || words.every((w) => body.includes(w))) continue;
      if (all.filter((o) => words.every((w) => o.hay.includes(w))).length > 20) continue;
      return {
        from: from.file, query: a.label, words, title: c.n.title, diagramTitle: c.d.title,
        entryTitle: c.e.payload.entry.title, href: `${c.e.id}.html#/${c.d.id}/${c.n.id}`,
      };
    }
  }
  return null;
}

module.exports = {
  launch,
  siblingAnswerCase,
  checkAxe,
  skipReason,
  fileUrl,
  readPayload,
  unpack,
  entries,
  openContext,
  headingText,
  waitHeading,
  hash,
  checkCsp,
  checkNoStyleAttributes,
  checkNoHorizontalScroll,
  checkImagesLoaded,
};
