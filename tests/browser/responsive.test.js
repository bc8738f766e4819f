'use strict';
// Any screen, 360 px to 1920 px wide: no sideways scrolling of the page (the map scrolls in its own box),
// and every control a finger must hit is at least 44 × 44 CSS pixels (inline links in text excepted,
// as WCAG 2.5.8 allows).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;
const WIDTHS = [360, 768, 1280, 1920];
const VIEWS = ['#/', '#/internet/voyants', '#/internet/resolu', '#/~all/internet', '#/~map/internet/voyants', '#/~print'];

describe('any screen, on the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let guichet;
  let fresh;

  before(async () => {
    guichet = path.join(DIST, 'guichet.html');
    fresh = h.readPayload(guichet).snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /** Controls smaller than 44 × 44 px: [text, width, height]. */
  function smallTargets(page) {
    return page.evaluate(() =>
      [...document.querySelectorAll('a[href], button, input, [role="button"]')]
        .filter((e) => e.getClientRects().length > 0 && !e.closest('.lb-content, .footnotes'))
        .map((e) => {
          const r = e.getBoundingClientRect();
          return [(e.textContent || e.id).trim().slice(0, 40), Math.round(r.width), Math.round(r.height)];
        })
        .filter(([, w, hgt]) => w < 44 || hgt < 44),
    );
  }

  for (const width of WIDTHS) {
    it(`fits ${width} px: no sideways scroll, targets ≥ 44 px`, async () => {
      const s = await h.openContext(browser, { now: fresh, viewport: { width, height: 800 } });
      const page = await s.context.newPage();
      page.setDefaultTimeout(5000);
      for (const fragment of VIEWS) {
        await page.goto(h.fileUrl(guichet, fragment));
        await page.waitForSelector('#lb-heading');
        await h.checkNoHorizontalScroll(page);
        assert.deepEqual(await smallTargets(page), [], `small targets at ${width}px on ${fragment}`);
      }
      await page.goto(h.fileUrl(guichet, '#/'));
      await page.locator('#lb-search').fill('modem');
      await page.waitForSelector('#lb-results a');
      await h.checkNoHorizontalScroll(page);
      assert.deepEqual(await smallTargets(page), [], `small targets at ${width}px in search results`);
      await s.close();
    });
  }
});
