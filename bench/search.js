'use strict';
// The bundle-wide search in headless Chromium from file:// (issue 24): node bench/search.js ENTRY.html [RUNS]
// Prints JSON: the file's size and what its search index takes in it (#lb-more, #lb-bundle), the nodes
// searched (this file's and its open siblings'), and per keystroke the time from keydown to the end of
// the viewer's input handler and to the next frame, typing each query one character at a time, 3 s
// after the first view (the index is built when the browser is idle: the first keystroke finds it
// built). BENCH_KEYS=1 adds every keystroke's numbers.
// Uses playwright-core from tests/browser/node_modules (npm ci there).

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const zlib = require('node:zlib');

const { need, CHROMIUM, median, typeQueries } = require('./common');

const { chromium } = need('playwright-core');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];
// French corpus words (bench/gen-corpus.py): common, rarer, in answers, and none.
const QUERIES = ['demandez au client', 'facture', 'le client confirme', 'zzqx'];

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

function element(html, id) {
  const m = new RegExp(`<script\\b[^>]*\\bid=["']?${id}["']?[^>]*>([^<]*)</script>`).exec(html);
  return m ? m[1] : '';
}

function sizes(file) {
  const html = fs.readFileSync(file, 'utf8');
  const inflate = (t) => JSON.parse(zlib.inflateSync(Buffer.from(t, 'base64')).toString('utf8'));
  const bundle = element(html, 'lb-bundle');
  const segments = bundle ? bundle.split(' ').map(inflate) : [];
  // #lb-data is plain JSON without the nodes, which are packed in #lb-nodes
  const nodes = inflate(element(html, 'lb-nodes')).nodes;
  const count = (diagrams, of) => diagrams.reduce((a, d) => a + of(d).length, 0);
  return {
    file_bytes: Buffer.byteLength(html),
    more_bytes: element(html, 'lb-more').length,
    bundle_bytes: bundle.length,
    own_nodes: count(nodes, (d) => d),
    sibling_nodes: segments.reduce((a, s) => a + count(s[2], (d) => d[3]), 0),
    siblings: segments.map((s) => s[0]),
  };
}

function probe() {
  const lb = (window.__lb = { keys: [] });
  window.addEventListener('keydown', (e) => { if (e.target && e.target.id === 'lb-search') lb.t0 = performance.now(); }, true);
  window.addEventListener('input', (e) => {
    if (!e.target || e.target.id !== 'lb-search') return;
    const t0 = lb.t0;
    const t1 = performance.now();
    requestAnimationFrame(() => setTimeout(() => {
      lb.keys.push({ handler: t1 - t0, frame: performance.now() - t0, results: document.querySelectorAll('#lb-results-list li').length });
    }, 0));
  });
}

async function main() {
  const file = path.resolve(process.argv[2]);
  const runs = Number(process.argv[3] || 3);
  const out = { file: path.basename(file), ...sizes(file), runs: [] };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript(probe);
      await page.goto(pathToFileURL(file).href + '#/', { waitUntil: 'load', timeout: 120000 });
      await page.waitForSelector('#lb-heading');
      await page.waitForTimeout(3000); // the idle build's timeout is 2 s
      const keys = await typeQueries(page, QUERIES);
      const h = keys.map((k) => k.handler);
      const f = keys.map((k) => k.frame);
      if (process.env.BENCH_KEYS) out.keys = keys;
      out.runs.push({ keys: keys.length, first_key_handler_ms: h[0], handler_median_ms: median(h),
        handler_p90_ms: pct(h, 0.9), handler_max_ms: Math.max(...h), frame_median_ms: median(f), frame_max_ms: Math.max(...f) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
