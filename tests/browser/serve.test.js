'use strict';
// `lifeboat serve` in a real browser: the reload hook runs under the page's policy (no CSP violation),
// a save reloads the page at the same node (the URL fragment is kept), a content error shows the
// overlay over the last good build, and fixing it removes the overlay and reloads.
// Needs $LIFEBOAT_BIN (the binary, set by tests/browser.rs); uses tests/fixtures/basic.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const h = require('./helpers');

const BIN = process.env.LIFEBOAT_BIN;
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'basic');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function status(base) {
  const r = await fetch(`${base}__lifeboat/status`);
  return r.json();
}

async function waitFor(check, what) {
  const started = Date.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch (_) { /* not up yet */ }
    if (Date.now() - started > 30000) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lifeboat serve in a browser', { skip: h.skipReason('LIFEBOAT_BIN') }, () => {
  let dir;
  let child;
  let base;
  let browser;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-serve-'));
    fs.cpSync(FIXTURE, path.join(dir, 'site'), { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    child = spawn(BIN, ['serve', 'site', '--port', String(port)], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, SOURCE_DATE_EPOCH: '1763800000', NO_COLOR: '1' },
    });
    await waitFor(async () => (await status(base)).generation >= 1, 'first build');
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (child) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reloads at the same node on save and shows errors over the last good build', async () => {
    const page = await browser.newPage();
    const violations = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const power = path.join(dir, 'site', 'support', 'power.md');
    const url = `${base}support.html#/power/replace-the-adapter`;
    await page.goto(url);
    await page.waitForSelector('text=Replace the adapter');
    await page.evaluate(() => { window.lbMarker = 'before'; });

    // A save: the page reloads by itself, at the same node, with the new text.
    const before = (await status(base)).generation;
    fs.writeFileSync(power, fs.readFileSync(power, 'utf8').replace('in the cupboard', 'in the blue cupboard'));
    await page.waitForFunction(() => window.lbMarker === undefined, null, { timeout: 30000 });
    await page.waitForSelector('text=in the blue cupboard');
    assert.equal(page.url(), url);
    assert.ok((await status(base)).generation > before);

    // A broken link: the overlay lists it with file:line; the page is still the last good build.
    await page.evaluate(() => { window.lbMarker = 'good'; });
    const good = fs.readFileSync(power, 'utf8');
    fs.writeFileSync(power, good.replace('- [Adapter is broken](#replace-the-adapter)\n',
      '- [Adapter is broken](#replace-the-adapter)\n- [Nowhere at all](#no-such-node)\n'));
    const overlay = page.locator('#lifeboat-serve-overlay');
    await overlay.waitFor({ timeout: 30000 });
    assert.match(await overlay.textContent(), /site\/support\/power\.md:16 diagram `power` has no node `#no-such-node`/);
    assert.equal(await page.evaluate(() => window.lbMarker), 'good');

    // Fixed: the page reloads (same node) and the overlay is gone.
    fs.writeFileSync(power, good);
    await page.waitForFunction(() => window.lbMarker === undefined, null, { timeout: 30000 });
    await page.waitForSelector('text=Replace the adapter');
    assert.equal(page.url(), url);
    assert.equal(await page.locator('#lifeboat-serve-overlay').count(), 0);
    assert.deepEqual(violations, []);
    await page.close();
  });
});
