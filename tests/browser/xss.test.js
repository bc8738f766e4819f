'use strict';
// The XSS corpus (tests/fixtures/xss, 40+ filter-evasion vectors in raw HTML and Markdown) built into
// attack.html and shown in headless Chromium under the page's own CSP: no vector may open a dialog, run a
// script, navigate away or make a network request, on any node, in the whole-diagram view or in print.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_XSS_DIST;

describe('XSS corpus in a real browser', { skip: h.skipReason('LIFEBOAT_XSS_DIST') }, () => {
  let browser;
  let file;
  let payload;

  before(async () => {
    file = path.join(DIST, 'attack.html');
    payload = h.readPayload(file);
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('runs no vector on any node, in the whole-diagram view or in print', async () => {
    const s = await h.openContext(browser);
    const page = await s.context.newPage();
    const dialogs = [];
    page.on('dialog', async (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      await d.dismiss();
    });
    // A vector that runs script would most likely set a global or call alert; catch both.
    await page.addInitScript(() => {
      window.__lbPwned = [];
      for (const name of ['alert', 'confirm', 'prompt']) {
        const original = window[name];
        window[name] = function (...args) {
          window.__lbPwned.push(name);
          return original.apply(this, args);
        };
      }
    });
    const base = h.fileUrl(file);
    const diagram = payload.diagrams[0];
    assert.ok(diagram.nodes.length >= 40, `${diagram.nodes.length} nodes in the corpus`);
    await page.goto(base + '#/');
    await page.waitForSelector('#lb-heading');
    const views = diagram.nodes.map((n) => `#/${diagram.id}/${n.id}`);
    views.push(`#/~all/${diagram.id}`, '#/~print', `#/~map/${diagram.id}`);
    for (const fragment of views) {
      await page.evaluate((f) => { location.hash = f; }, fragment);
      await page.waitForFunction((f) => location.hash === f, fragment);
      await page.waitForSelector('#lb-heading');
      // Give timers, image errors and animations set up by a vector time to fire.
      await page.waitForTimeout(fragment.startsWith('#/~') ? 300 : 40);
      // Hover and focus everything in the view: handlers such as onmouseover/onfocus would fire now.
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('#lb-main *')) {
          for (const type of ['mouseover', 'focus', 'click', 'animationstart', 'toggle']) {
            if (type === 'click' && el.closest('a, button, summary')) continue;
            el.dispatchEvent(new Event(type));
          }
        }
      });
      assert.equal(new URL(page.url()).pathname, new URL(base).pathname, `still on attack.html at ${fragment}`);
    }
    const pwned = await page.evaluate(() => window.__lbPwned);
    assert.deepEqual(pwned, [], 'no vector called alert/confirm/prompt');
    assert.deepEqual(dialogs, [], 'no dialog opened');
    // Every frame that ever loaded is this file (no iframe, no navigation to javascript:/data:).
    for (const url of s.visited) {
      assert.ok(url.startsWith(base), `navigated to ${url}`);
    }
    assert.equal(page.frames().length, 1, 'no frame was created');
    await s.close(); // fails on any network request or console error (CSP violations included)
  });
});
