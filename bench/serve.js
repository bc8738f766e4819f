'use strict';
// The author's save in `lifeboat serve` (issue 19), measured through the browser:
//   node bench/serve.js LIFEBOAT_BIN CONTENT_DIR [--runs N] [--write rename|plain] > result.json
// Copies CONTENT_DIR to a temporary folder, runs `LIFEBOAT_BIN serve COPY --port P` on a free port, opens
// the largest entry point in headless Chromium at a deep link to one node (a diagram 70 % of the way into
// it), then N times: appends a sentence with a new marker word to one line of that node's Markdown,
// saved the way an editor saves (default: the whole file written to a temporary file beside it, then
// renamed over it; `--write plain` writes the file in place), and measures from just before the write to
// the moment the marker is in the page's DOM (a MutationObserver that an init script installs in every
// document, so in the one serve's live-reload loads). The server's own part is read from its log
// ("built generation G in X s"). Prints JSON. The server is stopped and the copy removed in every case.
// Uses playwright-core from bench/node_modules if present, else from tests/browser/node_modules.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { need, CHROMIUM, median, freePort } = require('./common');

const { chromium } = need('playwright-core');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];
// Between saves: the viewer builds its search index when the browser is idle, within 2 s of a load, and
// the hook's long poll must be waiting again; a save during that work would measure it too.
const SETTLE_MS = 3000;
const BUILT = /^built generation (\d+) in ([\d.]+) s \(reused (\d+) of (\d+) entry points?/;

const now = () => performance.timeOrigin + performance.now(); // epoch ms, the clock the page's timeOrigin uses
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x) => (x == null ? null : Math.round(x * 10) / 10);

function usage(message) {
  console.error(`${message}\nusage: node bench/serve.js LIFEBOAT_BIN CONTENT_DIR [--runs N] [--write rename|plain]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { runs: 5, write: 'rename', rest: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--write') o.write = argv[++i];
    else if (argv[i].startsWith('--')) usage(`unknown option ${argv[i]}`);
    else o.rest.push(argv[i]);
  }
  if (o.rest.length !== 2) usage('LIFEBOAT_BIN and CONTENT_DIR are needed');
  if (!(o.runs >= 1)) usage('--runs must be at least 1');
  if (!['rename', 'plain'].includes(o.write)) usage('--write is rename or plain');
  return { bin: path.resolve(o.rest[0]), content: path.resolve(o.rest[1]), runs: o.runs, write: o.write };
}


// The entry point with the most diagrams, a diagram 70 % of the way into it, and in that diagram a node
// with an explicit id whose body has a plain paragraph line (the line the saves edit).
function pickTarget(content) {
  const entries = fs.readdirSync(content, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(content, d.name, 'entry.toml')))
    .map((d) => ({ id: d.name, diagrams: fs.readdirSync(path.join(content, d.name)).filter((f) => f.endsWith('.md')).sort() }))
    .sort((a, b) => b.diagrams.length - a.diagrams.length || (a.id < b.id ? -1 : 1));
  let nodes = 0;
  for (const e of entries) {
    for (const f of e.diagrams) nodes += (fs.readFileSync(path.join(content, e.id, f), 'utf8').match(/^## /gm) || []).length;
  }
  const entry = entries[0];
  if (!entry) throw new Error(`no entry point (folder with entry.toml) in ${content}`);
  const start = Math.floor(entry.diagrams.length * 0.7);
  for (let k = 0; k < entry.diagrams.length; k++) {
    const file = entry.diagrams[(start + k) % entry.diagrams.length];
    const lines = fs.readFileSync(path.join(content, entry.id, file), 'utf8').split('\n');
    const candidates = [];
    let node = null;
    for (let i = 0; i < lines.length; i++) {
      const h = /^## (.*?)\s*\{#([A-Za-z0-9_-]+)\}\s*$/.exec(lines[i]);
      if (h) { node = { title: h[1], id: h[2], line: -1 }; candidates.push(node); continue; }
      if (/^## /.test(lines[i])) { node = null; continue; }
      // A paragraph line: not a list, quote, callout, image, table, heading, HTML or footnote.
      if (node && node.line < 0 && /^[A-ZÀ-Ý]/.test(lines[i]) && !/[|<>]/.test(lines[i]) && !/[?:]\s*$/.test(lines[i])) node.line = i;
    }
    const usable = candidates.filter((n) => n.line >= 0);
    if (usable.length) {
      const n = usable[Math.floor(usable.length / 2)];
      return { entry: entry.id, diagram: file.replace(/\.md$/, ''), file: path.join(entry.id, file), node: n.id, title: n.title,
        line: n.line, nodes, entryDiagrams: entry.diagrams.length };
    }
  }
  throw new Error(`no node with an explicit {#id} and a paragraph line in ${entry.id}`);
}

// The save: one line changed, the rest of the file as it was.
function save(file, lines, lineNo, text, how) {
  const next = [...lines];
  next[lineNo] = text;
  const body = next.join('\n');
  if (how === 'plain') {
    fs.writeFileSync(file, body);
  } else {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.lbsave~`);
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, file);
  }
}

// Init script, in every document of the page before its own scripts: once the marker of the current
// save (kept in sessionStorage, which survives the reload) is in #lb-view, note the time, then the next
// frame.
function probe() {
  const marker = sessionStorage.getItem('lbSaveMarker');
  if (!marker) return;
  const check = () => {
    const view = document.getElementById('lb-view');
    if (!view || !view.textContent.includes(marker)) return;
    mo.disconnect();
    const shown = performance.now();
    window.__lbSave = { marker, timeOrigin: performance.timeOrigin, shown };
    requestAnimationFrame(() => setTimeout(() => { window.__lbSave.painted = performance.now(); }, 0));
  };
  const mo = new MutationObserver(check);
  mo.observe(document, { childList: true, subtree: true, characterData: true });
}

async function waitFor(check, what, timeoutMs, child) {
  const started = Date.now();
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`lifeboat serve exited (${child.exitCode}) while waiting for ${what}`);
    try {
      const v = await check();
      if (v) return v;
    } catch (_) { /* not up yet, or the page is between documents */ }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}`);
    await sleep(50);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-serve-bench-'));
  let child = null;
  let browser = null;
  const cleanup = () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // Ctrl-C or a kill of the bench: stop the server and remove the copy before going.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { cleanup(); process.exit(130); });
  }
  process.on('exit', cleanup);
  try {
    const copy = path.join(tmp, path.basename(opts.content));
    fs.cpSync(opts.content, copy, { recursive: true });
    const target = pickTarget(copy);
    const mdPath = path.join(copy, target.file);
    const lines = fs.readFileSync(mdPath, 'utf8').split('\n');
    const original = lines[target.line];

    const port = await freePort();
    const base = `http://127.0.0.1:${port}/`;
    const builds = []; // every "built generation" line of the server, with the time it arrived
    const log = [];
    const started = now();
    child = spawn(opts.bin, ['serve', copy, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { SOURCE_DATE_EPOCH: '1763800000', ...process.env, NO_COLOR: '1' },
    });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      const at = now();
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        log.push(line);
        const m = BUILT.exec(line);
        if (m) builds.push({ generation: Number(m[1]), seconds: Number(m[2]), reused: Number(m[3]), entries: Number(m[4]), at });
      }
    });
    child.stderr.on('data', (chunk) => { log.push(String(chunk).trimEnd()); if (log.length > 200) log.splice(0, 100); });
    try {
      await waitFor(async () => (await (await fetch(`${base}__lifeboat/status`)).json()).generation >= 1, 'the first build', 900000, child);
    } catch (e) {
      throw new Error(`${e.message}\n${log.slice(-20).join('\n')}`);
    }
    const serving = now();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(probe);
    const route = `#/${target.diagram}/${target.node}`;
    const url = `${base}${target.entry}.html${route}`;
    await page.goto(url, { waitUntil: 'load', timeout: 600000 });
    await page.waitForFunction((t) => { const hd = document.getElementById('lb-heading'); return hd && hd.textContent === t; },
      target.title, { timeout: 120000 });
    const fileBytes = Number((await (await fetch(`${base}${target.entry}.html`, { method: 'GET' })).arrayBuffer()).byteLength);
    await sleep(SETTLE_MS);

    const runs = [];
    const tag = Date.now().toString(36);
    for (let i = 0; i < opts.runs; i++) {
      const marker = `lbsave${i}x${tag}`;
      const generation = builds.length ? builds[builds.length - 1].generation : 1;
      await page.evaluate((m) => sessionStorage.setItem('lbSaveMarker', m), marker);
      const t0 = now();
      save(mdPath, lines, target.line, `${original} Repère ${marker}.`, opts.write);
      const seen = await waitFor(() => page.evaluate((m) => {
        const s = window.__lbSave;
        if (!s || s.marker !== m || s.painted === undefined || document.readyState !== 'complete') return null;
        const nav = performance.getEntriesByType('navigation')[0];
        const hd = document.getElementById('lb-heading');
        return { ...s, heading: hd && hd.textContent, href: location.href, type: nav.type,
          responseStart: nav.responseStart, responseEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd };
      }, marker), `marker ${marker} in the page`, 600000, child);
      const build = builds.find((b) => b.generation > generation);
      if (seen.heading !== target.title) throw new Error(`after the reload the heading is ${JSON.stringify(seen.heading)}, not ${JSON.stringify(target.title)}`);
      if (seen.href !== url) throw new Error(`after the reload the page is at ${seen.href}, not ${url}`);
      const shownAt = seen.timeOrigin + seen.shown;
      const run = {
        marker,
        to_dom_ms: shownAt - t0,
        to_paint_ms: seen.timeOrigin + seen.painted - t0,
        rebuild_ms: build ? round(build.seconds * 1000) : null,
        reused: build ? `${build.reused}/${build.entries}` : null,
        // where the time goes, in order (they add up to to_dom_ms)
        phases: build ? {
          quiet_ms: build.at - build.seconds * 1000 - t0, // the write, the watcher, the 250 ms quiet period
          rebuild_ms: build.seconds * 1000, // serve's build (its log, 10 ms resolution)
          to_reload_ms: seen.timeOrigin - build.at, // long poll answered, location.reload() starts the navigation
          first_byte_ms: seen.responseStart, // the server prepares the page (reload hook put in) and starts sending
          page_ms: seen.shown - seen.responseStart, // the page arrives and is parsed, the viewer unpacks and draws the node
        } : null,
        // the rest of the reloaded page, from the start of its navigation (the node may be shown before it all arrived)
        response_end_ms: seen.responseEnd, dcl_ms: seen.dcl, load_ms: seen.load,
      };
      for (const k of ['to_dom_ms', 'to_paint_ms', 'response_end_ms', 'dcl_ms', 'load_ms']) run[k] = round(run[k]);
      if (run.phases) for (const k of Object.keys(run.phases)) run.phases[k] = round(run.phases[k]);
      runs.push(run);
      await sleep(SETTLE_MS);
    }
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));

    const col = (f) => runs.map(f).filter((x) => x != null);
    const stat = (xs) => (xs.length ? { median: round(median(xs)), max: round(Math.max(...xs)), min: round(Math.min(...xs)) } : null);
    const phaseNames = runs[0].phases ? Object.keys(runs[0].phases) : [];
    console.log(JSON.stringify({
      content: opts.content, nodes: target.nodes, entry: `${target.entry}.html`, entry_diagrams: target.entryDiagrams,
      file_bytes: fileBytes, route, edited: `${target.file}:${target.line + 1}`, write: opts.write, runs: runs.length,
      first_build_s: builds.length ? builds[0].seconds : null, serving_after_s: round((serving - started) / 1000),
      to_dom_ms: stat(col((r) => r.to_dom_ms)), to_paint_ms: stat(col((r) => r.to_paint_ms)),
      rebuild_ms: stat(col((r) => r.rebuild_ms)),
      reload_response_end_ms: stat(col((r) => r.response_end_ms)), reload_dcl_ms: stat(col((r) => r.dcl_ms)),
      phases_median_ms: Object.fromEntries(phaseNames.map((k) => [k, round(median(col((r) => r.phases && r.phases[k])))])),
      saves: runs,
    }));
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    }
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
