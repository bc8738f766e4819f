'use strict';
// What the benchmark scripts share: their node packages (tests/browser/node_modules, or bench/node_modules
// when present), the browsers' paths, a median and a free port.

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

/** A node package from bench/node_modules if present, else from tests/browser/node_modules (`npm ci` there). */
function need(name) {
  for (const dir of [path.join(__dirname, 'node_modules'), path.join(__dirname, '..', 'tests', 'browser', 'node_modules')]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return require(p);
  }
  throw new Error(`${name} not found: run \`npm ci\` in tests/browser`);
}

const CHROMIUM = process.env.LIFEBOAT_CHROMIUM || '/usr/bin/chromium';

/** The median of the numbers in `xs` (other values skipped); null when there are none. */
function median(xs) {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  const m = s.length >> 1;
  if (!s.length) return null;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Types each query into the search field one key at a time, each key waited for until the page's probe
 * has recorded it in `window.__lb.keys`; returns those records and empties the list. */
async function typeQueries(page, queries) {
  const keys = [];
  for (const q of queries) {
    await page.focus('#lb-search');
    for (const ch of q) {
      const before = await page.evaluate(() => window.__lb.keys.length);
      await page.keyboard.type(ch);
      await page.waitForFunction((n) => window.__lb.keys.length > n, before, { timeout: 30000 });
    }
    keys.push(...(await page.evaluate(() => window.__lb.keys.splice(0))));
    await page.keyboard.press('Escape');
  }
  return keys;
}

module.exports = { need, CHROMIUM, median, freePort, typeQueries };
