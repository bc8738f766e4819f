'use strict';
// Printing on the fixture site: "print everything" (#/~print) and one diagram (#/~all/…) give a clean
// document — every node in order, numbered §d.n, answers as "→ §d.n Title", images loaded, no UI chrome —
// checked on the print-media DOM and with Chromium's print to PDF.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;

/** Pages in a PDF made by Chromium (page objects, not the page tree). */
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
}

describe('printing on the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let guichet;
  let payload;
  let fresh;

  before(async () => {
    guichet = path.join(DIST, 'guichet.html');
    payload = h.readPayload(guichet);
    fresh = payload.snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function open(fragment) {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(h.fileUrl(guichet, fragment));
    await page.waitForSelector('#lb-heading');
    return { ...s, page };
  }

  /** What a printer gets: the visible text of the page under print media. */
  async function printedText(page) {
    await page.emulateMedia({ media: 'print' });
    return page.evaluate(() => document.body.innerText);
  }

  it('prints everything: every diagram and node in order, numbered, answers as references', async () => {
    const s = await open('#/');
    const { page } = s;
    await page.locator('[data-lb-print-all]').click();
    await h.waitHeading(page, 'Guichet de test');
    assert.equal(await h.hash(page), '#/~print');
    const imgs = await h.checkImagesLoaded(page);
    assert.equal(imgs.length, 2, 'both images of the internet diagram, decoded');
    const text = await printedText(page);
    let at = 0;
    payload.diagrams.forEach((d, di) => {
      const dh = `§${di + 1} ${d.title}`;
      const found = text.indexOf(dh, at);
      assert.ok(found >= at, `diagram heading "${dh}" in order`);
      at = found;
      d.nodes.forEach((n, ni) => {
        const nh = `§${di + 1}.${ni + 1} ${n.title}`;
        const f = text.indexOf(nh, at);
        assert.ok(f >= at, `node heading "${nh}" in order`);
        at = f;
      });
    });
    assert.match(text, /Le voyant est rouge\s+→\s*§2\.2 Redémarrer le modem/);
    assert.match(text, /Question sur la facture\s+→\s*§1\.1 Question de facture › Identifier la facture/);
    assert.match(text, /Demandez au client de regarder les voyants/);
    for (const chrome of ['Rechercher une étape', 'Imprimer', 'Accueil', 'Tout imprimer']) {
      assert.ok(!text.includes(chrome), `no "${chrome}" on paper`);
    }
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdfPages(pdf) >= 2, `one page per diagram at least, got ${pdfPages(pdf)}`);
    await s.close();
  });

  it('prints one diagram, and the Print button waits for its images', async () => {
    const s = await open('#/~all/internet');
    const { page } = s;
    await page.evaluate(() => {
      window.lbPrinted = null;
      window.print = () => {
        window.lbPrinted = [...document.querySelectorAll('#lb-view img[data-lb-img]')].map((i) => i.complete && i.naturalWidth > 0);
      };
    });
    await page.getByRole('button', { name: 'Imprimer', exact: true }).click();
    await page.waitForFunction(() => window.lbPrinted !== null);
    assert.deepEqual(await page.evaluate(() => window.lbPrinted), [true, true]);
    const text = await printedText(page);
    for (const [i, n] of payload.diagrams[1].nodes.entries()) assert.ok(text.includes(`§2.${i + 1} ${n.title}`), n.title);
    assert.ok(!text.includes('Rechercher une étape'));
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdfPages(pdf) >= 1);
    await s.close();
  });
});
