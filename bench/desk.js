'use strict';
// The viewer on a slow desk PC (issue 19): one entry point file in headless Chromium from file://, at
// each CPU rate (CDP Emulation.setCPUThrottlingRate; Lighthouse's "mid-tier" desk is 4):
//
//   node bench/desk.js ENTRY.html [--runs N] [--rates 1,4] [--map-nodes 60]
//
// Per load (a new browser context each, so nothing is cached between loads):
//   view          the first frame with the home list (#lb-view[data-view=home] with a link), from navigation
//                 start: requestAnimationFrame polling, then the next task after that frame (MessageChannel),
//                 or the largest-contentful-paint entry of that frame when the engine reports one later;
//   search_ready  the viewer's `lb-search-ready` performance mark (search.js: its index is built);
// then, once the page has loaded and search is ready:
//   answer        an answer into this file clicked -> the next step painted (the task after the next
//                 frame), 10 clicks;
//   keystroke     a key typed in the search field -> its results painted, 30 keys;
//   map           the map of the diagram closest to --map-nodes nodes opened -> painted;
//   heap          JS heap used after the 30 keystrokes, after a garbage collection (CDP).
// Prints one JSON object; medians over the loads, and median and p95 over every interaction.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { pathToFileURL } = require('node:url');

const { need, CHROMIUM, median } = require('./common');

const { chromium } = need('playwright-core');
const ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info'];
const QUERIES = ['demandez au client', 'facture', 'zzqx'];
const TIMEOUT = 180000;

const sorted = (xs) => xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
const p95 = (xs) => { const s = sorted(xs); return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] : null; };
const round = (x) => (typeof x === 'number' ? Math.round(x * 10) / 10 : x);

// In the page before any of its scripts.
function probe() {
  const lb = (window.__desk = { clicks: [], keys: [] });
  // Inside a requestAnimationFrame callback: the task after this frame (its rendering is done then).
  // Calling requestAnimationFrame there would wait for the frame after, one frame too late.
  const afterThisFrame = (fn) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => fn(performance.now());
    ch.port2.postMessage(0);
  };
  // Anywhere else (an event handler): the task after the next frame.
  const afterPaint = (fn) => requestAnimationFrame(() => afterThisFrame(fn));
  (function poll() {
    const v = document.getElementById('lb-view');
    if (v && v.getAttribute('data-view') === 'home' && v.querySelector('a')) {
      lb.list = performance.now();
      afterThisFrame((t) => { lb.painted = t; });
      return;
    }
    requestAnimationFrame(poll);
  })();
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (lb.list !== undefined && lb.lcp === undefined && e.startTime >= lb.list) lb.lcp = e.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  } catch (e) { /* not supported */ }
  // answers: click (capture, first) -> the new step in the document -> its frame painted
  document.addEventListener('click', (e) => {
    const a = e.target && e.target.closest && e.target.closest('a.lb-answer, [data-lb-map]');
    if (!a) return;
    const t0 = performance.now();
    const before = document.getElementById('lb-heading');
    (function wait() {
      const now = document.getElementById('lb-heading');
      const map = document.querySelector('#lb-view[data-view=map] svg');
      if ((a.matches('[data-lb-map]') && map) || (!a.matches('[data-lb-map]') && now && now !== before)) {
        afterThisFrame((t) => lb.clicks.push({ kind: a.matches('[data-lb-map]') ? 'map' : 'answer', ms: t - t0 }));
      } else requestAnimationFrame(wait);
    })();
  }, true);
  // search: keydown (capture, first) -> input handled -> next frame painted
  window.addEventListener('keydown', (e) => { if (e.target && e.target.id === 'lb-search') lb.k0 = performance.now(); }, true);
  window.addEventListener('input', (e) => {
    if (!e.target || e.target.id !== 'lb-search') return;
    const t0 = lb.k0;
    afterPaint((t) => lb.keys.push({ ms: t - t0, results: document.querySelectorAll('#lb-results-list li').length }));
  });
}

/** The diagram whose node count is closest to `want`, and one of its nodes with an answer. */
function mapDiagram(file, want) {
  const html = fs.readFileSync(file, 'utf8');
  const m = /<script\b[^>]*\bid=["']?lb-nodes["']?[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`${file}: no #lb-nodes (an open entry point built by this lifeboat is needed)`);
  const nodes = JSON.parse(zlib.inflateSync(Buffer.from(m[1].trim(), 'base64')).toString('utf8')).nodes;
  const d = /<script\b[^>]*\bid=["']?lb-data["']?[^>]*>([\s\S]*?)<\/script>/.exec(html);
  const data = JSON.parse(d[1]);
  let best = 0;
  nodes.forEach((n, i) => { if (Math.abs(n.length - want) < Math.abs(nodes[best].length - want)) best = i; });
  return { id: data.diagrams[best].id, start: data.diagrams[best].start, nodes: nodes[best].length, total: nodes.reduce((a, n) => a + n.length, 0) };
}

async function load(browser, url, rate, interact, map) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(probe);
    const cdp = await context.newCDPSession(page);
    if (rate > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT });
    await page.waitForFunction(() => window.__desk.painted !== undefined
      && performance.getEntriesByName('lb-search-ready').length > 0, null, { timeout: TIMEOUT });
    const first = await page.evaluate(() => ({
      list: window.__desk.list, painted: window.__desk.painted, lcp: window.__desk.lcp,
      search_ready: performance.getEntriesByName('lb-search-ready')[0].startTime,
      load: performance.getEntriesByType('navigation')[0].loadEventEnd,
    }));
    // The frame is painted by the later of the task after it and the engine's own paint entry.
    first.view = Math.max(first.painted, first.lcp || 0);
    if (!interact) return first;

    // answers: from the entry's first step, the first answer 10 times (back to the start at an end point)
    await page.click('#lb-start');
    await page.waitForSelector('#lb-view[data-view=node]');
    // (answers into this file only: one into another file loads another page)
    const here = 'a.lb-answer[href^="#"]';
    for (let i = 0; i < 10; i++) {
      if (!(await page.$(here))) {
        await page.click('[data-lb-restart]');
        await page.waitForSelector(here);
      }
      const n = await page.evaluate(() => window.__desk.clicks.length);
      await page.click(here);
      await page.waitForFunction((k) => window.__desk.clicks.length > k, n, { timeout: TIMEOUT });
    }
    // search: 30 keys, each painted before the next
    await page.goto(url.replace(/#.*$/, '') + '#/', { waitUntil: 'load' });
    for (const q of QUERIES) {
      await page.focus('#lb-search');
      for (const ch of q) {
        const n = await page.evaluate(() => window.__desk.keys.length);
        await page.keyboard.type(ch);
        await page.waitForFunction((k) => window.__desk.keys.length > k, n, { timeout: TIMEOUT });
      }
      await page.fill('#lb-search', '');
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    // the map of a diagram of about --map-nodes nodes, from its first step
    await page.goto(url.replace(/#.*$/, '') + `#/${map.id}/${map.start}`, { waitUntil: 'load' });
    await page.waitForSelector('[data-lb-map]');
    const n = await page.evaluate(() => window.__desk.clicks.length);
    await page.click('[data-lb-map]');
    await page.waitForFunction((k) => window.__desk.clicks.length > k, n, { timeout: TIMEOUT });
    const desk = await page.evaluate(() => window.__desk);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      ...first, heap,
      answers: desk.clicks.filter((c) => c.kind === 'answer').map((c) => c.ms),
      map: desk.clicks.filter((c) => c.kind === 'map').map((c) => c.ms),
      keys: desk.keys.map((k) => k.ms),
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args.splice(i, 2)[1]; };
  const runs = Number(opt('--runs', 5));
  const rates = opt('--rates', '1,4').split(',').map(Number);
  const mapNodes = Number(opt('--map-nodes', 60));
  const file = path.resolve(args[0] || '');
  if (!args[0] || !fs.existsSync(file)) throw new Error('usage: node bench/desk.js ENTRY.html [--runs N] [--rates 1,4] [--map-nodes 60]');
  const map = mapDiagram(file, mapNodes);
  const url = pathToFileURL(file).href;
  const out = { file: path.basename(file), bytes: fs.statSync(file).size, nodes: map.total, runs, map_diagram: { id: map.id, nodes: map.nodes }, rates: {} };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    for (const rate of rates) {
      const loads = [];
      // every load measures the first view; the last two also measure the interactions
      for (let r = 0; r < runs; r++) loads.push(await load(browser, url, rate, r >= runs - 2, map));
      const all = (k) => loads.flatMap((l) => l[k] || []);
      out.rates[`${rate}x`] = {
        view_ms: round(median(loads.map((l) => l.view))), list_in_dom_frame_ms: round(median(loads.map((l) => l.list))),
        search_ready_ms: round(median(loads.map((l) => l.search_ready))), load_ms: round(median(loads.map((l) => l.load))),
        answer_ms: { median: round(median(all('answers'))), p95: round(p95(all('answers'))), count: all('answers').length },
        keystroke_ms: { median: round(median(all('keys'))), p95: round(p95(all('keys'))), count: all('keys').length },
        map_ms: { median: round(median(all('map'))), count: all('map').length },
        heap_after_search_mib: round(median(loads.filter((l) => l.heap).map((l) => l.heap)) / 1048576),
        views: loads.map((l) => round(l.view)),
      };
      process.stderr.write(`${rate}x: ${JSON.stringify(out.rates[`${rate}x`])}\n`);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
