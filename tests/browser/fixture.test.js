'use strict';
// The viewer on tests/fixtures/browser-site, built by tests/browser.rs into $LIFEBOAT_FIXTURE_DIST.
// Ids and texts below come from that fixture: change both together.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;

describe('viewer on the fixture site', { skip: h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let guichet;
  let escalade;
  let payload;
  let fresh;

  before(async () => {
    guichet = path.join(DIST, 'guichet.html');
    escalade = path.join(DIST, 'escalade.html');
    payload = h.readPayload(guichet);
    fresh = payload.snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /** Opens guichet.html (or `file`) at `fragment` in a new watched context. */
  async function open(fragment = '', opts = {}) {
    const s = await h.openContext(browser, { now: fresh, ...opts });
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(opts.file || guichet, fragment));
    return { ...s, page };
  }

  function answer(page, label) {
    return page.locator('#lb-view').getByRole('link', { name: label, exact: true });
  }

  async function trail(page) {
    return page.locator('.lb-trail li').allTextContents();
  }

  it('shows the home page from file://', async () => {
    const s = await open();
    const { page } = s;
    await h.waitHeading(page, 'Guichet de test');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    assert.equal(await page.title(), 'Guichet de test — Centre de test Lifeboat');
    await h.checkCsp(page);
    const view = page.locator('#lb-view');
    // The site's name is in the header, not repeated above the entry's title.
    assert.match(await page.locator('.lb-brand').textContent(), /Centre de test Lifeboat/);
    assert.doesNotMatch(await view.textContent(), /Centre de test Lifeboat/);
    assert.match(await view.textContent(), /Entrée de test pour les navigateurs\./);
    assert.deepEqual(await page.locator('.lb-diagram-link').allTextContents(), ['Question de facture', 'Panne Internet']);
    assert.equal(await page.locator('.lb-diagram-link').nth(1).getAttribute('href'), '#/internet/voyants');
    assert.deepEqual(await page.locator('[data-diagram="internet"] .lb-tag').allTextContents(), ['panne', 'modem']);
    assert.match(await page.locator('[data-diagram="facture"]').textContent(), /Le client conteste un montant\./);
    // search box with a visible label
    const search = page.getByLabel('Rechercher une étape');
    assert.equal(await search.getAttribute('type'), 'search');
    assert.ok(await page.locator('label[for="lb-search"]').isVisible());
    // banner
    const banner = await page.locator('#lb-banner').textContent();
    assert.match(banner, /Copie de secours hors ligne — lecture seule/);
    assert.ok(banner.includes(payload.snapshot.date), 'snapshot date in banner');
    assert.match(banner, /bcp/);
    assert.equal(await page.locator('#lb-banner a.lb-online').getAttribute('href'), 'https://procedures.example.invalid/');
    assert.equal(await page.locator('[role="alert"]:visible').count(), 0, 'no stale warning on a fresh copy');
    // the image used twice is stored once
    assert.equal(await page.locator('script[id^="lb-img-"]').count(), 1);
    assert.match(fs.readFileSync(guichet, 'utf8'), /<noscript>/);
    await h.checkNoStyleAttributes(page);
    await s.close();
  });

  it('walks a path by clicking answers, with a trail and an end point', async () => {
    const s = await open();
    const { page } = s;
    await page.locator('#lb-start').click();
    await h.waitHeading(page, 'Vérifier les voyants');
    assert.equal(await h.hash(page), '#/internet/voyants');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'lb-heading');
    await page.waitForFunction(() => document.getElementById('lb-announce').textContent === 'Vérifier les voyants');
    assert.equal(await page.locator('#lb-view .lb-kicker').textContent(), 'Panne Internet');
    assert.equal(await page.locator('#lb-heading').evaluate((e) => e.tagName), 'H1');

    await answer(page, 'Le voyant est vert').click();
    await h.waitHeading(page, 'Vérifier les câbles');
    assert.equal(await h.hash(page), '#/internet/cables');
    await page.waitForFunction(() => document.getElementById('lb-announce').textContent === 'Vérifier les câbles');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading');

    await answer(page, 'Câble rebranché, ça marche').click();
    await h.waitHeading(page, 'Problème résolu');
    const end = page.locator('#lb-end');
    assert.ok(await end.isVisible());
    assert.match(await end.textContent(), /Fin de la procédure/);
    assert.equal(await page.locator('.lb-answer').count(), 0);
    assert.equal(await end.getByRole('link', { name: 'Recommencer l\'appel', exact: true }).count(), 1);
    assert.equal(await end.getByRole('link', { name: 'Début du schéma', exact: true }).count(), 1);
    assert.equal(await end.getByRole('link', { name: 'Accueil', exact: true }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Voir tout le schéma', exact: true }).getAttribute('href'), '#/~all/internet');

    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Vérifier les câbles', 'Problème résolu']);
    assert.equal(await page.locator('.lb-trail li').last().getAttribute('aria-current'), 'step');
    await page.locator('.lb-trail a').first().click();
    await h.waitHeading(page, 'Vérifier les voyants');
    assert.deepEqual(await trail(page), [], 'trail truncated after the node clicked (one node: no trail shown)');

    await answer(page, 'Le voyant est rouge').click();
    await h.waitHeading(page, 'Redémarrer le modem');
    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Redémarrer le modem']);
    await page.locator('.lb-controls [data-lb-restart]').click();
    await h.waitHeading(page, 'Vérifier les voyants');
    await answer(page, 'Le voyant est vert').click();
    await h.waitHeading(page, 'Vérifier les câbles');
    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Vérifier les câbles'], 'restart clears the trail');

    await page.locator('.lb-controls').getByRole('link', { name: 'Accueil', exact: true }).click();
    await h.waitHeading(page, 'Guichet de test');
    assert.equal(await h.hash(page), '#/');
    await s.close();
  });

  it('goes Back and Forward along the path', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    await answer(page, 'Le voyant est rouge').click();
    await h.waitHeading(page, 'Redémarrer le modem');
    await answer(page, 'Ça fonctionne').click();
    await h.waitHeading(page, 'Problème résolu');
    await page.goBack();
    await h.waitHeading(page, 'Redémarrer le modem');
    await page.goBack();
    await h.waitHeading(page, 'Vérifier les voyants');
    assert.equal(await h.hash(page), '#/internet/voyants');
    await page.goForward();
    await h.waitHeading(page, 'Redémarrer le modem');
    assert.equal(await h.hash(page), '#/internet/redemarrer');
    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Redémarrer le modem']);
    await s.close();
  });

  it('shows the next step in the click\'s own task, with one history entry and one trail step', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    const now = await page.evaluate(() => {
      const before = history.length;
      const a = [...document.querySelectorAll('a.lb-answer')].find((x) => x.textContent.includes('Le voyant est rouge'));
      a.click();
      // Read in the same task as the click: no hashchange has been handled yet.
      return { heading: document.getElementById('lb-heading').textContent, hash: location.hash, added: history.length - before };
    });
    assert.deepEqual(now, { heading: 'Redémarrer le modem', hash: '#/internet/redemarrer', added: 1 });
    // The hashchange that follows finds the step shown: nothing is shown or counted twice.
    await page.waitForTimeout(100);
    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Redémarrer le modem']);
    await page.goBack();
    await h.waitHeading(page, 'Vérifier les voyants');
    await s.close();
  });

  it('keeps the node and the trail on reload', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    await answer(page, 'Le voyant est vert').click();
    await h.waitHeading(page, 'Vérifier les câbles');
    await page.reload();
    await h.waitHeading(page, 'Vérifier les câbles');
    assert.equal(await h.hash(page), '#/internet/cables');
    assert.deepEqual(await trail(page), ['Vérifier les voyants', 'Vérifier les câbles']);
    await s.close();
  });

  it('lands on a deep link opened in a new page', async () => {
    const s = await open('#/internet/voyants');
    const other = await s.context.newPage();
    await other.goto(h.fileUrl(guichet, '#/internet/cables'));
    await h.waitHeading(other, 'Vérifier les câbles');
    assert.deepEqual(await trail(other), []);
    // a diagram alone goes to its start node
    await other.goto(h.fileUrl(guichet, '#/facture'));
    await h.waitHeading(other, 'Identifier la facture');
    assert.equal(await h.hash(other), '#/facture/identifier');
    await s.close();
  });

  it('searches every node, ignoring case and accents', async () => {
    const s = await open();
    const { page } = s;
    await h.waitHeading(page, 'Guichet de test');
    const search = page.getByLabel('Rechercher une étape');
    const status = page.locator('#lb-search-status');
    const results = page.locator('#lb-results a');
    assert.equal(await status.getAttribute('role'), 'status');

    for (const q of ['redemarrer le modem', 'Redémarrer', 'REDÉMARRER MODEM', 'modem redem']) {
      await search.fill(q);
      await page.waitForFunction(() => document.querySelectorAll('#lb-results a').length > 0);
      assert.equal(await results.first().textContent(), 'Panne Internet › Redémarrer le modem', `query "${q}"`);
      assert.match(await status.textContent(), /^\d+ résultats?$|^1 résultat$/);
    }
    await search.fill('cable gris');
    await page.waitForFunction(() => document.getElementById('lb-search-status').textContent !== '');
    assert.deepEqual(await results.allTextContents(), ['Panne Internet › Vérifier les câbles']);
    assert.equal(await status.textContent(), '1 résultat');
    // variables are replaced before indexing; the sibling entry point's step that shows the same
    // number comes after this file's, labelled with its entry point
    await search.fill('67 89');
    await page.waitForFunction(() => document.querySelectorAll('#lb-results a').length > 0);
    assert.deepEqual(await results.allTextContents(),
      ['Question de facture › Identifier la facture', 'Escalade de test › Escalade niveau 2 › Appeler le niveau 2']);
    await search.fill('modem xyzzy');
    await page.waitForFunction(() => document.getElementById('lb-search-status').textContent === 'Aucun résultat');
    assert.equal(await results.count(), 0);
    await search.press('Escape');
    assert.equal(await search.inputValue(), '');
    assert.ok(await page.locator('#lb-results').isHidden());

    await search.fill('redémarrer');
    await page.getByRole('link', { name: 'Panne Internet › Redémarrer le modem', exact: true }).click();
    await h.waitHeading(page, 'Redémarrer le modem');
    assert.equal(await h.hash(page), '#/internet/redemarrer');
    assert.equal(await search.inputValue(), '');
    assert.ok(await page.locator('#lb-results').isHidden());
    // Enter opens the first result
    await search.fill('contestation');
    await search.press('Enter');
    await h.waitHeading(page, 'Contestation du montant');
    await s.close();
  });

  it('follows answers to another diagram and to the sibling entry file', async () => {
    const s = await open('#/internet/cables');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les câbles');
    await answer(page, 'Question sur la facture').click();
    await h.waitHeading(page, 'Identifier la facture');
    assert.equal(await h.hash(page), '#/facture/identifier');

    await page.goto(h.fileUrl(guichet, '#/internet/voyants'));
    await h.waitHeading(page, 'Vérifier les voyants');
    assert.equal(await answer(page, 'Le client refuse').getAttribute('href'), 'escalade.html#/niveau-2/appel');
    await answer(page, 'Le client refuse').click();
    await page.waitForURL(/escalade\.html#\/niveau-2\/appel$/);
    await h.waitHeading(page, 'Appeler le niveau 2');
    const text = await page.locator('#lb-view .lb-content').textContent();
    assert.match(text, /Composez le 01 23 45 67 89/);
    assert.doesNotMatch(text, /\{\{/);
    assert.match(await page.locator('#lb-view aside.callout.callout-important .callout-label').textContent(), /À noter/);
    await answer(page, 'Retour au guichet').click();
    await page.waitForURL(/guichet\.html#\/internet\/voyants$/);
    await h.waitHeading(page, 'Vérifier les voyants');
    await s.close();
  });

  it('shows callouts, footnotes and external links in a node', async () => {
    const s = await open('#/facture/identifier');
    const { page } = s;
    await h.waitHeading(page, 'Identifier la facture');
    await answer(page, 'Montant contesté').click();
    await h.waitHeading(page, 'Contestation du montant');
    assert.equal(await page.locator('#lb-view aside.callout-note .callout-label').textContent(), 'Contexte');
    assert.equal(await page.locator('#lb-view .footnotes-label').textContent(), 'Notes');
    assert.match(await page.locator('#lb-view .footnotes').textContent(), /Dix jours ouvrés/);
    const external = page.locator('#lb-view a[href^="https:"]');
    assert.equal(await external.getAttribute('target'), '_blank', 'leaving the copy opens a new tab');
    assert.match(await external.getAttribute('rel'), /noopener/);
    assert.ok(await page.locator('#lb-end').isVisible());
    await s.close();
  });

  it('decodes images into blob: URLs that load, once per image', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    const first = await h.checkImagesLoaded(page);
    assert.equal(first.length, 1);
    assert.equal(await page.locator('#lb-view img').getAttribute('alt'), 'Face avant du modem');
    assert.match(await page.locator('#lb-view aside.callout.callout-caution .callout-label').textContent(), /Étape critique/);
    await answer(page, 'Le voyant est rouge').click();
    await h.waitHeading(page, 'Redémarrer le modem');
    const second = await h.checkImagesLoaded(page);
    assert.equal(second.length, 1);
    assert.equal(second[0].id, first[0].id, 'the same image');
    assert.equal(second[0].src, first[0].src, 'decoded once, blob URL reused');
    await s.close();
  });

  it('shows the whole diagram, with in-page answers and a print stylesheet', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    await page.locator('.lb-controls').getByRole('link', { name: 'Voir tout le schéma', exact: true }).click();
    await h.waitHeading(page, 'Panne Internet');
    assert.equal(await h.hash(page), '#/~all/internet');
    assert.deepEqual(await page.locator('.lb-all-title').allTextContents(), [
      '§2.1 Vérifier les voyants',
      '§2.2 Redémarrer le modem',
      '§2.3 Vérifier les câbles',
      '§2.4 Problème résolu',
    ]);
    assert.deepEqual(
      await page.locator('#lb-n-voyants .lb-target').allTextContents(),
      ['→ §2.2 Redémarrer le modem', '→ §2.3 Vérifier les câbles', '→ escalade.html › niveau-2 › appel'],
    );
    assert.equal((await h.checkImagesLoaded(page)).length, 2);
    // an in-page answer scrolls to its node without leaving the view
    await page.locator('#lb-n-voyants .lb-all-answer').nth(1).click();
    assert.equal(await h.hash(page), '#/~all/internet');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-h-cables');
    await h.waitHeading(page, 'Panne Internet');
    assert.equal(await page.locator('[data-lb-print]').count(), 1);

    await page.emulateMedia({ media: 'print' });
    for (const sel of ['.lb-bar', '.lb-controls', '.lb-skip']) {
      assert.equal(await page.locator(sel).first().evaluate((e) => getComputedStyle(e).display), 'none', sel);
    }
    assert.equal(await page.locator('.lb-all-node').first().evaluate((e) => getComputedStyle(e).breakInside), 'avoid');
    assert.ok(await page.locator('#lb-n-voyants .lb-target').first().isVisible(), 'answer targets printed');
    await s.close();
  });

  it('warns with role=alert when the copy is older than the backup frequency', async () => {
    const days = payload.backup.frequency_days;
    assert.equal(days, 30);
    const old = await open('', { now: payload.snapshot.epoch * 1000 + 40 * DAY });
    await h.waitHeading(old.page, 'Guichet de test');
    const alert = old.page.locator('#lb-stale [role="alert"]');
    assert.ok(await alert.isVisible());
    const text = await alert.textContent();
    assert.match(text, /peut-être plus à jour/);
    assert.ok(text.includes('Cette copie date du 22 novembre 2025, il y a 40 jours\u00a0; elle est renouvelée tous les 30 jours, elle a donc 10 jour(s) de retard.'), text);
    assert.ok(text.includes('X:\\BackupFiles\\Procedures'), text);
    assert.ok(text.includes('/mnt/partage/procedures'), text);
    await old.close();

    const recent = await open('', { now: payload.snapshot.epoch * 1000 + 29 * DAY });
    await h.waitHeading(recent.page, 'Guichet de test');
    assert.equal(await recent.page.locator('[role="alert"]:visible').count(), 0);
    assert.equal(await recent.page.locator('#lb-stale').textContent(), '');
    await recent.close();
  });

  it('answers keys: 1-9, Backspace, Alt+Left and /', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    assert.equal(await page.locator('.lb-answer').first().getAttribute('aria-keyshortcuts'), '1');
    await page.keyboard.press('2');
    await h.waitHeading(page, 'Vérifier les câbles');
    await page.keyboard.press('Backspace');
    await h.waitHeading(page, 'Vérifier les voyants');
    await page.keyboard.press('1');
    await h.waitHeading(page, 'Redémarrer le modem');
    await page.keyboard.press('Alt+ArrowLeft');
    await h.waitHeading(page, 'Vérifier les voyants');
    await page.keyboard.press('9');
    await page.waitForTimeout(100);
    assert.equal(await h.headingText(page), 'Vérifier les voyants', 'no ninth answer: nothing happens');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-search');
    await page.keyboard.type('1 cable');
    assert.equal(await page.locator('#lb-search').inputValue(), '1 cable', 'keys typed in the search box stay there');
    assert.equal(await h.headingText(page), 'Vérifier les voyants');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#lb-search').inputValue(), '');
    await s.close();
  });

  it('is accessible: names, skip link, focus, live region, targets', async () => {
    const s = await open('#/internet/voyants');
    const { page } = s;
    await h.waitHeading(page, 'Vérifier les voyants');
    for (const label of ['Le voyant est rouge', 'Le voyant est vert', 'Le client refuse']) {
      assert.equal(await answer(page, label).count(), 1, `answer named exactly "${label}"`);
    }
    const snapshot = await page.locator('.lb-answer-list').ariaSnapshot();
    assert.match(snapshot, /link "Le voyant est rouge"/);
    // skip link: first Tab stop, moves focus to the heading, leaves the route alone
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-skip');
    assert.ok(await page.locator('#lb-skip').isVisible());
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading');
    assert.equal(await h.hash(page), '#/internet/voyants');
    assert.equal(await h.headingText(page), 'Vérifier les voyants');
    // touch targets (of the controls shown: the call notes panel is closed)
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('.lb-answer, .lb-btn, #lb-search, .lb-online')]
        .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().height < 44)
        .map((e) => e.textContent),
    );
    assert.deepEqual(small, []);
    assert.equal(await page.locator('#lb-announce').getAttribute('aria-live'), 'polite');
    await s.close();
  });

  it('fits a 360px wide screen, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const s = await open('', { viewport: { width: 360, height: 740 }, colorScheme });
      const { page } = s;
      for (const fragment of ['#/', '#/internet/voyants', '#/~all/internet', '#/niveau-2/nope']) {
        await page.goto(h.fileUrl(guichet, fragment));
        await page.waitForSelector('#lb-heading');
        await h.checkNoHorizontalScroll(page);
        await h.checkNoStyleAttributes(page);
      }
      await page.getByLabel('Rechercher une étape').fill('modem');
      await page.waitForSelector('#lb-results a');
      await h.checkNoHorizontalScroll(page);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (colorScheme === 'dark') assert.notEqual(bg, 'rgb(255, 255, 255)');
      else assert.equal(bg, 'rgb(255, 255, 255)');
      await s.close();
    }
  });

  it('says "not found" for unknown routes, with a way home', async () => {
    const s = await open('#/nope/x');
    const { page } = s;
    await h.waitHeading(page, 'Page introuvable');
    for (const fragment of ['#/internet/nope', '#/~all/nope', '#/a/b/c']) {
      await page.goto(h.fileUrl(guichet, fragment));
      await h.waitHeading(page, 'Page introuvable');
    }
    await page.getByRole('link', { name: "Retour à l'accueil", exact: true }).click();
    await h.waitHeading(page, 'Guichet de test');
    await s.close();
  });

  it('shows an error, not a blank page, when the payload is damaged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-broken-'));
    try {
      const html = fs.readFileSync(guichet, 'utf8');
      const broken = html.replace(/(<script\b[^>]*\bid=["']?lb-data["']?[^>]*>)[\s\S]*?(<\/script>)/, '$1{"v":1,"diagrams":[$2');
      assert.notEqual(broken, html);
      const file = path.join(dir, 'guichet.html');
      fs.writeFileSync(file, broken);
      const s = await open('#/internet/voyants', { file, allowErrors: true });
      const fatal = s.page.locator('#lb-fatal');
      await fatal.waitFor({ state: 'visible' });
      assert.match(await fatal.textContent(), /endommagé/);
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the error when the packed payload is cut short, and opens a plain JSON one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-packed-'));
    const element = /(<script\b[^>]*\bid=["']?lb-nodes["']?[^>]*>)([\s\S]*?)(<\/script>)/;
    try {
      const html = fs.readFileSync(guichet, 'utf8');
      const packed = element.exec(html)[2];
      assert.doesNotMatch(packed, /^\s*\{/, 'an open entry point has its nodes packed');
      const file = path.join(dir, 'guichet.html');
      fs.writeFileSync(file, html.replace(element, (m, a, p, b) => a + p.slice(0, p.length / 2) + b));
      const cut = await open('#/internet/voyants', { file, allowErrors: true });
      await cut.page.locator('#lb-fatal').waitFor({ state: 'visible' });
      await cut.close();
      // A payload written as plain JSON (a custom template's, an older build's) is read as it is.
      const plain = JSON.stringify(h.unpack(packed)).replace(/</g, '\\u003c');
      fs.writeFileSync(file, html.replace(element, (m, a, p, b) => a + plain + b));
      const s = await open('#/internet/voyants', { file });
      await h.waitHeading(s.page, 'Vérifier les voyants');
      assert.equal(await s.page.locator('#lb-fatal').isVisible(), false);
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [what, shim] of [
    ['without DecompressionStream', () => { delete window.DecompressionStream; }],
    // Chromium 80–102 and Firefox before 113 have it, but refuse some formats.
    ['whose DecompressionStream refuses the format', () => {
      window.DecompressionStream = function () { throw new TypeError('Unsupported compression format'); };
    }],
  ]) it(`tells a browser ${what} that it is too old, not that the file is damaged`, async () => {
    const s = await h.openContext(browser, { now: fresh, allowErrors: true });
    await s.context.addInitScript(shim);
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(guichet, '#/internet/voyants'));
    const old = page.locator('#lb-old-browser');
    await old.waitFor({ state: 'visible' });
    assert.match(await old.textContent(), /trop ancien/);
    assert.equal(await page.locator('#lb-fatal').isVisible(), false);
    await s.close();
  });

  it('shows the home page inside the viewer script: before anything packed is unpacked, with no date formatter', async () => {
    // A stale copy (its alert shows the date in words), in a browser whose DecompressionStream never ends,
    // that counts every date formatting call: the home page still shows, and formats nothing.
    const s = await h.openContext(browser, { now: payload.snapshot.epoch * 1000 + 400 * DAY });
    await s.context.addInitScript(() => {
      window.lbFormatted = 0;
      const counted = (f) => new Proxy(f, {
        construct(t, args) { window.lbFormatted += 1; return Reflect.construct(t, args); },
        apply(t, self, args) { window.lbFormatted += 1; return Reflect.apply(t, self, args); },
      });
      Intl.DateTimeFormat = counted(Intl.DateTimeFormat);
      for (const name of ['toLocaleDateString', 'toLocaleString', 'toLocaleTimeString']) Date.prototype[name] = counted(Date.prototype[name]);
      window.DecompressionStream = function () { return new TransformStream({ transform() {}, flush() { return new Promise(() => {}); } }); };
    });
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(guichet));
    await h.waitHeading(page, 'Guichet de test');
    assert.ok(await page.locator('.lb-diagram-link').count() > 0, 'the diagrams are listed');
    assert.match(await page.locator('.lb-stale-body').textContent(), /^Cette copie date du \d{1,2}(er)? \p{L}+ \d{4}/u);
    assert.equal(await page.evaluate(() => window.lbFormatted), 0, 'no date formatted before the first view');
    // A step needs #lb-nodes, which this browser never unpacks: nothing but the home page is shown.
    await page.locator('.lb-diagram-link').first().click();
    await page.waitForFunction(() => location.hash.length > 2);
    assert.notEqual(await page.locator('#lb-view').getAttribute('data-view'), 'node');
    await s.close();
  });

  it('opens the second entry file on its own', async () => {
    const s = await open('', { file: escalade });
    const { page } = s;
    await h.waitHeading(page, 'Escalade de test');
    await h.checkCsp(page);
    assert.equal(await page.locator('script[id^="lb-img-"]').count(), 0);
    await page.locator('#lb-start').click();
    await h.waitHeading(page, 'Appeler le niveau 2');
    await answer(page, 'Ticket transmis').click();
    await h.waitHeading(page, 'Ticket transmis');
    assert.ok(await page.locator('#lb-end').isVisible());
    await s.close();
  });
});
