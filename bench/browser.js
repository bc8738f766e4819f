'use strict';
// Viewer timings in headless Chromium from file://: node bench/browser.js ENTRY.html [RUNS] > result.json
// Uses playwright-core from bench/node_modules if present, else from tests/browser/node_modules.

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const zlib = require('node:zlib');

const { need, CHROMIUM, median, typeQueries } = require('./common');

const { chromium } = need('playwright-core');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--enable-precise-memory-info'];
const QUERIES = ['demandez au client', 'facture', 'zzqx'];


// Runs in the page before any of its scripts: when the node view appears, note the time.
function probe() {
  const lb = (window.__lb = { longTasks: [], keys: [] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) lb.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* not supported */ }
  const mo = new MutationObserver(() => {
    const v = document.getElementById('lb-view');
    if (v && v.getAttribute('data-view') === 'node' && document.getElementById('lb-heading')) {
      lb.shown = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => setTimeout(() => { lb.painted = performance.now(); }, 0));
    }
  });
  mo.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-view'] });
  // search keystrokes: keydown (capture, first) -> input handled (bubble, after the viewer) -> next frame
  window.addEventListener('keydown', (e) => { if (e.target && e.target.id === 'lb-search') lb.t0 = performance.now(); }, true);
  window.addEventListener('input', (e) => {
    if (!e.target || e.target.id !== 'lb-search') return;
    const t0 = lb.t0;
    const t1 = performance.now();
    void document.body.offsetHeight; // style + layout of the updated results, forced now
    const t2 = performance.now();
    requestAnimationFrame(() => setTimeout(() => {
      lb.keys.push({ handler: t1 - t0, layout: t2 - t0, frame: performance.now() - t0,
        results: document.querySelectorAll('#lb-results-list li').length });
    }, 0));
  });
}

function pickNode(file) {
  const html = fs.readFileSync(file, 'utf8');
  const text = (id) => {
    const m = new RegExp(`<script\\b[^>]*\\bid=["']?${id}["']?[^>]*>([\\s\\S]*?)<\\/script>`).exec(html);
    const t = m ? m[1].trim() : '';
    return t && JSON.parse(t.startsWith('{') ? t : zlib.inflateSync(Buffer.from(t, 'base64')).toString('utf8'));
  };
  // #lb-data is plain JSON without the nodes, which are packed (zlib, then base64) in #lb-nodes.
  const data = text('lb-data');
  const later = text('lb-nodes');
  if (later) data.diagrams.forEach((d, i) => { d.nodes = later.nodes[i]; });
  const images = (html.match(/id="?lb-img-/g) || []).length;
  const nodes = data.diagrams.reduce((a, d) => a + d.nodes.length, 0);
  // a node deep in the payload that shows an image (decoding is part of showing it)
  const d = data.diagrams[Math.floor(data.diagrams.length * 0.7)];
  const n = d.nodes.find((x) => x.html.includes('data-lb-img')) || d.nodes[0];
  return { diagram: d.id, node: n.id, title: n.title, nodes, images, bytes: fs.statSync(file).size };
}

async function main() {
  const file = path.resolve(process.argv[2]);
  const runs = Number(process.argv[3] || 3);
  const target = pickNode(file);
  const url = pathToFileURL(file).href + `#/${target.diagram}/${target.node}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const loads = [];
  let search = null;
  let heap = null;
  try {
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(probe);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(url, { waitUntil: 'load', timeout: 120000 });
      await page.waitForFunction(() => window.__lb && window.__lb.painted, null, { timeout: 60000 });
      const heading = await page.textContent('#lb-heading');
      if (heading !== target.title) throw new Error(`heading is ${JSON.stringify(heading)}, expected ${JSON.stringify(target.title)}`);
      await page.waitForTimeout(1000); // let late tasks land in the long-task list
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const lt = window.__lb.longTasks;
        const lastEnd = lt.reduce((a, [s, d]) => Math.max(a, s + d), 0);
        return {
          shown: window.__lb.shown, painted: window.__lb.painted, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd, lastLongTaskEnd: lastEnd, longest: lt.reduce((a, [, d]) => Math.max(a, d), 0),
        };
      });
      t.tti = Math.max(t.shown, t.dcl, t.lastLongTaskEnd);
      if (errors.length) throw new Error('page errors: ' + errors.join('; '));
      loads.push(t);
      if (r === runs - 1) {
        const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
        heap = { used: metrics.JSHeapUsedSize, total: metrics.JSHeapTotalSize };
        const keys = await typeQueries(page, QUERIES);
        const after = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : 0));
        const h = keys.map((k) => k.handler);
        const f = keys.map((k) => k.frame);
        const l = keys.map((k) => k.layout);
        search = { count: keys.length, queries: QUERIES, handler_median_ms: median(h), handler_max_ms: Math.max(...h),
          layout_median_ms: median(l), layout_max_ms: Math.max(...l), frame_median_ms: median(f), frame_max_ms: Math.max(...f), heap_after: after, keys };
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const pick = (k) => median(loads.map((l) => l[k]));
  console.log(JSON.stringify({
    file: path.basename(file), file_bytes: target.bytes, nodes: target.nodes, images: target.images, runs,
    route: `#/${target.diagram}/${target.node}`, first_node_ms: pick('shown'), first_node_painted_ms: pick('painted'),
    dcl_ms: pick('dcl'), load_ms: pick('load'), tti_ms: pick('tti'), longest_task_ms: pick('longest'),
    heap_used_bytes: heap.used, heap_total_bytes: heap.total, heap_after_search_bytes: search.heap_after,
    search, loads,
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
