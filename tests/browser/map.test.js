'use strict';
// The diagram map (#/~map/<diagram>[/<node>]) on the fixture site: an SVG drawn by the viewer from the
// layout made at build time, one link per node, kinds told by shape and words, the current node highlighted, zoom, its own scroll box.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;

describe('diagram map on the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
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

  async function open(fragment, opts = {}) {
    const s = await h.openContext(browser, { now: fresh, ...opts });
    const page = await s.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(h.fileUrl(guichet, fragment));
    await page.waitForSelector('#lb-heading');
    return { ...s, page };
  }

  it('is in the payload as layout data per diagram, no markup', () => {
    const payload = h.readPayload(guichet);
    for (const d of payload.diagrams) {
      assert.equal(d.map_svg, undefined);
      assert.equal(typeof d.map, 'string', 'a JSON text, parsed when the map opens');
      const map = JSON.parse(d.map);
      assert.equal(map.boxes.length, d.nodes.length, `${d.id}: a box per node`);
      assert.equal(map.edges.length, d.nodes.reduce((s, n) => s + n.answers.length, 0), `${d.id}: an edge per answer`);
      assert.doesNotMatch(d.map, /<svg|<a |style=|<script|url\(|javascript:/i);
      for (const n of d.nodes) for (const a of n.answers) assert.equal(a.href, undefined, 'links made by the viewer');
    }
  });

  it('draws the same SVG as the build used to, every node linked', async () => {
    const s = await open('#/~map/internet');
    const { page } = s;
    const svg = page.locator('#lb-view svg.lb-map-svg');
    assert.equal(await svg.getAttribute('role'), 'group');
    assert.equal(await svg.getAttribute('aria-label'), 'Carte de Panne Internet');
    assert.match(await svg.getAttribute('viewBox'), /^0 0 \d+ \d+$/);
    assert.equal(await svg.evaluate((e) => e.namespaceURI), 'http://www.w3.org/2000/svg');
    const payload = h.readPayload(guichet);
    const d = payload.diagrams.find((x) => x.id === 'internet');
    for (const n of d.nodes) {
      assert.equal(await page.locator(`#lb-view svg a.lb-map-node[href="#/internet/${n.id}"][data-node="${n.id}"]`).count(), 1, n.id);
    }
    // structure: edges (aria-hidden) then nodes; every text in tspans, no style attributes
    assert.deepEqual(await svg.evaluate((e) => [...e.children].map((c) => `${c.tagName}.${c.getAttribute('class')}`)),
      ['g.lb-map-edges', 'g.lb-map-nodes']);
    assert.equal(await page.locator('#lb-view .lb-map-edges').getAttribute('aria-hidden'), 'true');
    assert.equal(await page.locator('#lb-view .lb-map-arrow').count(), await page.locator('#lb-view .lb-map-edge').count());
    assert.deepEqual(await page.locator('a[data-node="voyants"] > *').evaluateAll((es) => es.map((e) => e.tagName)),
      ['desc', 'polygon', 'rect', 'text']);
    assert.equal(await page.locator('a[data-node="resolu"] .lb-map-inner').count(), 1, 'end: inner outline');
    await h.checkNoStyleAttributes(page);
    await s.close();
  });

  it('opens from a node, highlights it, and follows a box to its node', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await page.locator('.lb-controls [data-lb-map]').click();
    await h.waitHeading(page, 'Panne Internet');
    assert.equal(await h.hash(page), '#/~map/internet/voyants');
    const boxes = page.locator('#lb-view svg a.lb-map-node');
    assert.equal(await boxes.count(), 4);
    const current = page.locator('#lb-view svg a.lb-map-current');
    assert.equal(await current.getAttribute('data-node'), 'voyants');
    assert.equal(await current.getAttribute('aria-current'), 'step');
    // kinds by shape and by word, not colour alone
    assert.equal(await page.locator('a[data-node="voyants"]').getAttribute('class'), 'lb-map-box lb-map-node lb-map-decision lb-map-critical lb-map-current');
    assert.equal(await page.locator('a[data-node="voyants"] polygon').count(), 1, 'decision: hexagon');
    assert.equal(await page.locator('a[data-node="voyants"] .lb-map-critical-bar').count(), 1);
    assert.match(await page.locator('a[data-node="voyants"] text').textContent(), /^Critique · Décision/);
    assert.match(await page.locator('a[data-node="resolu"] text').textContent(), /^Fin/);
    assert.match(await page.locator('a[data-node="cables"] desc').textContent(), /Question sur la facture → Question de facture › Identifier la facture/);
    assert.equal((await page.locator('#lb-view svg').getByRole('link', { name: 'Décision Vérifier les câbles', exact: true }).count()), 1);
    // every answer drawn and labelled; other diagrams and files as stubs
    assert.equal(await page.locator('#lb-view .lb-map-edge').count(), 7);
    assert.deepEqual(
      (await page.locator('#lb-view .lb-map-stub').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).sort(),
      ['#/facture/identifier', 'escalade.html#/niveau-2/appel'],
    );
    const labels = await page.locator('#lb-view .lb-map-label-text').allTextContents();
    for (const l of ['Le voyant est rouge', 'Le voyant est vert', 'Le client refuse', 'Ça fonctionne']) {
      assert.ok(labels.includes(l), `edge label ${l} in ${labels}`);
    }
    // boxes do not overlap on screen
    const rects = await boxes.evaluateAll((as) => as.map((a) => a.getBoundingClientRect().toJSON()));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const [a, b] = [rects[i], rects[j]];
        assert.ok(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top, `boxes ${i} and ${j} overlap`);
      }
    }
    await page.locator('a[data-node="cables"]').click();
    await h.waitHeading(page, 'Vérifier les câbles');
    assert.equal(await h.hash(page), '#/internet/cables');
    await s.close();
  });

  it('zooms with the + and − buttons, keyboard included', async () => {
    const s = await open('#/~map/internet');
    const { page } = s;
    const width = () => page.locator('#lb-view svg').evaluate((e) => e.getBoundingClientRect().width);
    const w0 = await width();
    await page.getByRole('button', { name: 'Agrandir' }).click();
    const w1 = await width();
    assert.ok(w1 > w0 * 1.2, `${w1} > ${w0}`);
    await page.getByRole('button', { name: 'Réduire' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    assert.ok((await width()) < w0);
    await page.getByRole('button', { name: 'Taille réelle' }).click();
    assert.equal(Math.round(await width()), Math.round(w0));
    assert.equal(await page.locator('#lb-view a.lb-map-current').count(), 0, 'no node given, none highlighted');
    await h.checkNoStyleAttributes(page);
    await s.close();
  });

  it('scrolls in its own box on a 360px screen', async () => {
    const s = await open('#/~map/internet/resolu', { viewport: { width: 360, height: 740 } });
    const { page } = s;
    await h.checkNoHorizontalScroll(page);
    const box = await page.locator('#lb-map-scroll').evaluate((e) => ({
      scroll: e.scrollWidth, client: e.clientWidth, overflow: getComputedStyle(e).overflowX, tab: e.tabIndex,
    }));
    assert.ok(box.scroll > box.client, 'the map is wider than the screen');
    assert.equal(box.overflow, 'auto');
    assert.equal(box.tab, 0, 'scroll box reachable by keyboard');
    // the current node is scrolled into view inside the box
    const visible = await page.locator('a.lb-map-current').evaluate((a) => {
      const r = a.getBoundingClientRect();
      const b = document.getElementById('lb-map-scroll').getBoundingClientRect();
      return r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom;
    });
    assert.ok(visible, 'current node visible in the box');
    await s.close();
  });

  it('says "not found" for an unknown diagram or node', async () => {
    const s = await open('#/~map/nope');
    await h.waitHeading(s.page, 'Page introuvable');
    await s.page.goto(h.fileUrl(guichet, '#/~map/internet/nope'));
    await h.waitHeading(s.page, 'Page introuvable');
    await s.close();
  });
});
