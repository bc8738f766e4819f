'use strict';
// The viewer in Firefox (Debian firefox-esr, driven by puppeteer-core over WebDriver BiDi), from file://:
// the fixture and example files (packed payloads, answers, Back, search, map, images) and a locked entry
// point opened with its key (PBKDF2 and AES-GCM in Firefox's crypto.subtle), and the call assistant
// (tests/fixtures/call-site: a field typed and shown later, end call, the log, a locked entry point's
// calls sealed with HKDF and AES-GCM), and the desk trial (tests/fixtures/desk-en: answers in view at
// 1280×800 and 390×700, the focus ring in the accent, a cross-link into a locked file and Back asking
// for the key once), and the outage notice on the launcher (`lifeboat notice`, the link back from an entry
// file). Every page must make no
// network request, log no error and break no rule of its own Content-Security-Policy.
// Ids and texts come from each file's payload, except the locked fixture's (see locked.test.js).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');

const FIREFOX = process.env.LIFEBOAT_FIREFOX;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function skipReason() {
  if (!FIREFOX) return 'LIFEBOAT_FIREFOX is not set (run through `cargo test --test browser` with firefox-esr installed)';
  for (const v of ['LIFEBOAT_FIXTURE_DIST', 'LIFEBOAT_DIST', 'LIFEBOAT_LOCKED_DIST', 'LIFEBOAT_CALL_DIST', 'LIFEBOAT_DESK_DIST']) {
    if (!process.env[v]) return `${v} is not set (run through \`cargo test --test browser\`)`;
  }
  return false;
}

describe('viewer in Firefox', { skip: skipReason() }, () => {
  let browser;

  before(async () => {
    const puppeteer = require('puppeteer-core');
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /** A new page watched like helpers.openContext watches Chromium's: requests, errors, CSP violations. */
  async function open(file, fragment = '') {
    const page = await browser.newPage();
    const problems = [];
    page.on('request', (req) => {
      if (!/^(file|data|blob|about):/i.test(req.url())) problems.push(`network request: ${req.url()}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.evaluateOnNewDocument(() => {
      window.lbViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.lbViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    await page.goto(h.fileUrl(file, fragment));
    return {
      page,
      /** Fails on any problem seen, then proves the CSP watch works: an inline script is refused. */
      async close() {
        const violations = await page.evaluate(() => window.lbViolations);
        assert.deepEqual(violations, [], `CSP violations on ${page.url()}`);
        assert.deepEqual(problems, [], `problems on ${page.url()}`);
        const probed = await page.evaluate(async () => {
          const s = document.createElement('script');
          s.textContent = 'window.lbInlineRan = true;';
          document.head.append(s);
          await new Promise((r) => setTimeout(r, 50));
          return { ran: window.lbInlineRan === true, violations: window.lbViolations.length };
        });
        assert.deepEqual(probed, { ran: false, violations: 1 }, 'the page CSP refuses an inline script, and says so');
        await page.close();
      },
    };
  }

  async function heading(page, text) {
    try {
      await page.waitForFunction(
        (t) => {
          const el = document.getElementById('lb-heading');
          return !!el && el.textContent.trim() === t;
        },
        { timeout: 10000 },
        text,
      );
    } catch (e) {
      const actual = await page.evaluate(() => {
        const el = document.getElementById('lb-heading');
        return el ? el.textContent.trim() : '(no #lb-heading)';
      });
      assert.fail(`expected heading "${text}", got "${actual}" at ${page.url()}`);
    }
  }

  function node(payload, d, n) {
    const diagram = payload.diagrams.find((x) => x.id === d);
    return diagram && diagram.nodes.find((x) => x.id === n);
  }

  /** The current route's node in the payload. */
  async function current(page, payload) {
    const [d, n] = decodeURIComponent(await page.evaluate(() => location.hash)).replace(/^#\//, '').split('/');
    return node(payload, d, n);
  }

  async function walk(entry) {
    const { payload, file } = entry;
    const html = fs.readFileSync(file, 'utf8');
    assert.match(html, /id="?lb-nodes"?[^>]*>\s*[^{\s]/, `${entry.id}: #lb-nodes is packed`);
    const s = await open(file);
    const { page } = s;
    await heading(page, payload.entry.title);
    assert.equal(await page.$$eval('.lb-diagram-link', (a) => a.length), payload.diagrams.length);

    // a diagram from the home page, then an answer within the same entry point, then Back
    await page.click('.lb-diagram-link');
    await page.waitForFunction(() => /^#\/[^~]/.test(location.hash), { timeout: 10000 });
    const first = await current(page, payload);
    assert.ok(first, `${entry.id}: the diagram link leads to a node of the payload (${page.url()})`);
    await heading(page, first.title);
    const d = payload.diagrams.find((x) => x.nodes.includes(first));
    const from = d.nodes.find((n) => n.answers.some((a) => !a.entry));
    assert.ok(from, `${entry.id}: a node with an answer in the same entry point`);
    await page.evaluate((f) => { location.hash = f; }, `#/${d.id}/${from.id}`);
    await heading(page, from.title);
    const answer = from.answers.findIndex((a) => !a.entry);
    const to = from.answers[answer];
    const target = node(payload, to.diagram, to.node);
    const targetHref = `#/${encodeURIComponent(to.diagram)}/${encodeURIComponent(to.node)}`;
    const links = await page.$$('#lb-view a.lb-answer');
    await links[answer].click();
    await heading(page, target.title);
    await page.goBack();
    await heading(page, from.title);

    // images of a node that shows one: blob: URLs, decoded
    const pictured = payload.diagrams.flatMap((x) => x.nodes.map((n) => [x, n])).find(([, n]) => /data-lb-img/.test(n.html || ''));
    if (pictured) {
      await page.evaluate((f) => { location.hash = f; }, `#/${pictured[0].id}/${pictured[1].id}`);
      await heading(page, pictured[1].title);
      await page.waitForFunction(
        () => [...document.querySelectorAll('#lb-view img[data-lb-img]')].every((i) => i.complete && i.naturalWidth > 0),
        { timeout: 10000 },
      );
      const srcs = await page.$$eval('#lb-view img[data-lb-img]', (imgs) => imgs.map((i) => i.getAttribute('src')));
      assert.ok(srcs.length > 0 && srcs.every((src) => /^blob:/.test(src)), `${entry.id}: images use blob: URLs (${srcs})`);
    }

    // search: a word of a node's title finds that node (the search texts come from #lb-more)
    const word = fold(target.title).split(/[^a-z0-9]+/).filter((w) => w.length >= 4).sort((a, b) => b.length - a.length)[0];
    if (word) {
      await page.type('#lb-search', word);
      await page.waitForFunction(() => document.querySelectorAll('#lb-results-list a').length > 0, { timeout: 10000 });
      const found = await page.$$eval('#lb-results-list a', (a) => a.map((x) => x.getAttribute('href')));
      assert.ok(found.includes(targetHref), `${entry.id}: searching "${word}" lists ${targetHref}: ${found}`);
    }

    // the map of a diagram draws its SVG
    await page.evaluate((f) => { location.hash = f; }, `#/~map/${d.id}/${from.id}`);
    await page.waitForSelector('#lb-view svg', { timeout: 10000 });
    await s.close();
  }

  it('opens the fixture files from file:// and follows answers, Back, search, images and the map', async () => {
    const list = h.entries(process.env.LIFEBOAT_FIXTURE_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry);
  });

  it('opens every entry file of the example content the same way', async () => {
    const list = h.entries(process.env.LIFEBOAT_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry);
  });

  it('a search from the home page finds a step of another entry point by one of its answers, and opens it', async () => {
    const c = h.siblingAnswerCase(process.env.LIFEBOAT_DIST);
    assert.ok(c, 'the example has an answer to search for');
    const s = await open(c.from, '#/');
    const { page } = s;
    await page.waitForSelector('#lb-heading', { timeout: 10000 });
    await page.type('#lb-search', c.query);
    const hit = `#lb-results-list a[href="${c.href}"]`;
    await page.waitForSelector(hit, { timeout: 10000 });
    assert.equal(await page.$eval(hit, (a) => a.textContent), `${c.entryTitle} › ${c.diagramTitle} › ${c.title}`);
    const marks = await page.$eval(hit, (a) => [...a.closest('li').querySelectorAll('.lb-result-snippet mark')].length);
    assert.ok(marks >= c.words.length, `the snippet marks the words (${marks})`);
    await Promise.all([page.waitForNavigation({ timeout: 10000 }), page.click(hit)]);
    await heading(page, c.title);
    assert.ok(page.url().endsWith(c.href), page.url());
    await s.close();
  });

  /** Clicks the answer named `label` of the node shown, then waits for the heading `next`. */
  async function take(page, label, next) {
    const links = await page.$$('#lb-view a.lb-answer');
    const labels = await page.$$eval('#lb-view a.lb-answer .lb-answer-label', (x) => x.map((e) => e.textContent));
    assert.ok(labels.includes(label), `an answer "${label}" in ${labels}`);
    await links[labels.indexOf(label)].click();
    await heading(page, next);
  }

  it('call assistant: a field typed once is shown in another diagram, the call ends into the log', async () => {
    const accueil = path.join(process.env.LIFEBOAT_CALL_DIST, 'accueil.html');
    const s = await open(accueil, '#/identification/identifier');
    const { page } = s;
    await heading(page, 'Identifier le client');
    await page.type('#lb-view [data-lb-field="numero_compte"]', '1234 5678');
    await page.type('#lb-view [data-lb-field="telephone_rappel"]', '0601020304');
    await page.select('#lb-view select[data-lb-field="motif"]', 'Facture');
    await take(page, 'Client identifié', 'Vérifier la facture');
    assert.deepEqual(await page.$$eval('#lb-view td .lb-call', (x) => x.map((e) => e.textContent)), ['1234 5678', '0601020304']);
    assert.equal(await page.$eval('#lb-view a[data-lb-href]', (a) => a.getAttribute('href')), 'https://crm.example.invalid/fiche?compte=1234%205678');
    await take(page, 'Erreur de facturation confirmée', 'Accorder un geste commercial');
    assert.equal(await page.$eval('#lb-view [data-lb-field="numero_compte"]', (i) => i.value), '1234 5678');
    await take(page, 'Geste accordé', 'Geste commercial accordé');
    await page.waitForSelector('#lb-call-panel:not([hidden])');
    await page.type('#lb-call-comment', 'Rappel demain');
    const note = await page.$eval('#lb-call-note', (t) => t.value);
    assert.match(note, /Litige de facturation › Vérifier la facture → Erreur de facturation confirmée/);
    assert.match(note, /Commentaire\u00a0: Rappel demain/);
    await page.click('#lb-call-end');
    await heading(page, 'Accueil téléphonique');
    const site = h.readPayload(accueil).call.site;
    const records = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) || '[]'), `lifeboat:v1:${site}:log`);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0].fields, { numero_compte: '1234 5678', telephone_rappel: '0601020304', motif: 'Facture' });
    assert.equal(records[0].end, 'Geste commercial accordé');
    await page.click('#lb-call-loglink');
    await heading(page, 'Journal des appels');
    assert.equal(await page.$$eval('.lb-call-record', (x) => x.length), 1);
    await page.evaluate((k) => localStorage.removeItem(k), `lifeboat:v1:${site}:log`);
    await s.close();
  });

  it("call assistant: a locked entry point's calls are sealed with its key (HKDF, AES-GCM)", async () => {
    const coffre = path.join(process.env.LIFEBOAT_CALL_DIST, 'coffre.html');
    const s = await open(coffre, '#/fraude/controle');
    const { page } = s;
    await page.waitForSelector('#lb-key');
    await page.type('#lb-key', process.env.LIFEBOAT_LOCKED_KEY);
    await page.click('#lb-unlock-submit');
    await heading(page, 'Contrôler le titulaire');
    await page.waitForSelector('#lb-view [data-lb-field="reference_dossier"]');
    await page.type('#lb-view [data-lb-field="reference_dossier"]', 'DOSSIER-FX-9');
    await take(page, 'Titulaire confirmé', 'Faire opposition');
    assert.match(await page.$eval('#lb-view', (v) => v.textContent), /dossier DOSSIER-FX-9/);
    await page.click('#lb-call-end');
    await heading(page, 'Coffre fraude');
    const site = h.readPayload(path.join(process.env.LIFEBOAT_CALL_DIST, 'accueil.html')).call.site;
    await page.waitForFunction((k) => !!localStorage.getItem(k), {}, `lifeboat:v1:${site}:log:coffre`);
    const stored = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
    for (const t of ['DOSSIER-FX-9', 'Faire opposition', 'Contrôler le titulaire']) assert.ok(!stored.includes(t), `"${t}" readable in storage`);
    await page.evaluate(() => { location.hash = '#/~calls'; });
    await heading(page, 'Journal des appels');
    await page.waitForFunction(() => /DOSSIER-FX-9/.test(document.getElementById('lb-view').textContent));
    await page.evaluate((k) => localStorage.removeItem(k), `lifeboat:v1:${site}:log:coffre`);
    await s.close();
  });

  it('desk trial: the question and its answers in view at 1280×800 and 390×700, the ring in the accent', async () => {
    const cards = path.join(process.env.LIFEBOAT_DESK_DIST, 'cards.html');
    const payload = h.readPayload(cards);
    const s = await open(cards, '#/');
    const { page } = s;
    await heading(page, 'Card services');
    for (const [width, height] of [[1280, 800], [390, 700]]) {
      await page.setViewport({ width, height });
      for (const d of payload.diagrams) {
        for (const n of d.nodes.filter((x) => x.answers.length)) {
          await page.evaluate((f) => { location.hash = f; }, `#/${d.id}/${n.id}`);
          await heading(page, n.title);
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const seen = await page.evaluate(() => {
            const vh = window.innerHeight;
            const inView = (el) => {
              const b = el.getBoundingClientRect();
              const at = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
              return b.top >= 0 && b.bottom <= vh && !!at && el.contains(at);
            };
            return [inView(document.getElementById('lb-heading'))].concat([...document.querySelectorAll('#lb-view .lb-answer')].map(inView));
          });
          assert.deepEqual(seen, seen.map(() => true), `Firefox ${width}×${height}: ${d.id}/${n.id} heading and answers in view`);
        }
      }
    }
    await page.setViewport({ width: 1280, height: 800 });
    await page.evaluate(() => { location.hash = '#/lost-card/identify'; });
    await heading(page, 'Identify the customer and the card');
    await page.keyboard.press('1');
    await heading(page, 'When and where was it lost?');
    const ring = await page.evaluate(() => {
      const cs = getComputedStyle(document.activeElement);
      return [document.activeElement.id, cs.outlineStyle, cs.outlineColor];
    });
    assert.deepEqual(ring, ['lb-heading', 'solid', 'rgb(10, 92, 54)']);
    await s.close();
  });

  it('desk trial: a cross-link into the locked file asks for the key once, Back does not ask again', async () => {
    const dist = process.env.LIFEBOAT_DESK_DIST;
    const s = await open(path.join(dist, 'cards.html'), '#/lost-card/when-lost');
    const { page } = s;
    await heading(page, 'When and where was it lost?');
    await take(page, 'Unknown payments seen', 'Fraud checks');
    await page.waitForSelector('#lb-key');
    assert.equal(await page.$eval('#lb-remember', (b) => b.checked), true);
    assert.match(await page.$eval('#lb-key-holders', (p) => p.textContent), /Continuity manager \(ext\. 4410\)/);
    await page.type('#lb-key', process.env.LIFEBOAT_LOCKED_KEY);
    await page.click('#lb-unlock-submit');
    await heading(page, 'Verify the unknown payments');
    await take(page, 'Block the card', 'Block the card');
    // Back to the other file (history.back: puppeteer's goBack waits for an event BiDi does not send here).
    await page.evaluate(() => history.back());
    await heading(page, 'Verify the unknown payments');
    assert.equal(await page.$('#lb-key'), null, 'no key asked after Back');
    await s.close();
  });

  it('outage notice: the launcher shows it, then "restored" with its link; an entry file links back to it', async () => {
    // `lifeboat notice` on a copy of the example (the binary is $LIFEBOAT_BIN; see notice.test.js).
    assert.ok(process.env.LIFEBOAT_BIN, 'LIFEBOAT_BIN is set (run through `cargo test --test browser`)');
    const share = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'lifeboat-notice-ff-'));
    const notice = (...args) => require('node:child_process').execFileSync(process.env.LIFEBOAT_BIN, ['notice', share, ...args], {
      env: { ...process.env, LIFEBOAT_NOW: '1763900000' },
    });
    try {
      fs.cpSync(process.env.LIFEBOAT_DIST, share, { recursive: true });
      notice('Le CRM est indisponible depuis 9h10. <script>alert(1)</script>', '--by', 'Cellule de continuité');
      const launcher = path.join(share, 'index.html');
      let s = await open(launcher);
      let text = await s.page.$eval('#lb-notice .notice-text', (e) => e.textContent.trim());
      assert.equal(text, 'Le CRM est indisponible depuis 9h10. <script>alert(1)</script>');
      assert.match(await s.page.$eval('#lb-notice .notice-meta', (e) => e.textContent), /par Cellule de continuité/);
      await s.close();

      const entry = h.entries(share)[0];
      s = await open(entry.file);
      await heading(s.page, entry.payload.entry.title);
      await Promise.all([s.page.waitForNavigation(), s.page.click('#lb-launcher')]);
      assert.match(s.page.url(), /index\.html$/);
      text = await s.page.$eval('#lb-notice .notice-text', (e) => e.textContent.trim());
      assert.match(text, /^Le CRM est indisponible/);
      await s.close();

      notice('--restored', 'Service rétabli.');
      s = await open(launcher);
      const href = await s.page.$eval('#lb-notice .notice-back a', (a) => a.getAttribute('href'));
      assert.match(href, /^https:\/\//);
      await s.close();
    } finally {
      fs.rmSync(share, { recursive: true, force: true });
    }
  });

  it('unlocks a locked entry point with its key', async () => {
    const s = await open(path.join(process.env.LIFEBOAT_LOCKED_DIST, 'coffre.html'));
    const { page } = s;
    await page.waitForSelector('#lb-key');
    assert.doesNotMatch(await page.$eval('body', (b) => b.textContent), /Suspicion de fraude/);
    await page.type('#lb-key', process.env.LIFEBOAT_LOCKED_KEY);
    await page.click('#lb-unlock-submit');
    await page.waitForFunction(() => !document.getElementById('lb-key') && document.querySelectorAll('.lb-diagram-link').length > 0, {
      timeout: 30000,
    });
    assert.match(await page.$eval('#lb-view', (v) => v.textContent), /Suspicion de fraude/);
    await s.close();
  });
  it('key groups: each key opens exactly its files, a wrong group\'s key is refused with the message', { skip: !process.env.LIFEBOAT_KEYGROUPS_DIST && 'LIFEBOAT_KEYGROUPS_DIST is not set' }, async () => {
    const keys = JSON.parse(process.env.LIFEBOAT_KEYGROUPS_KEYS);
    const opens = { factures: ['facturation', 'direction', 'recovery'], fraude: ['fraude', 'direction', 'recovery'] };
    const groups = { factures: 'Facturation ou Direction', fraude: 'Fraude ou Direction' };
    for (const entry of Object.keys(opens)) {
      for (const name of ['facturation', 'fraude', 'direction', 'recovery']) {
        const s = await open(path.join(process.env.LIFEBOAT_KEYGROUPS_DIST, `${entry}.html`));
        const { page } = s;
        await page.waitForSelector('#lb-key');
        assert.equal(await page.$eval('#lb-key-groups', (e) => e.textContent), `Clé du groupe ${groups[entry]}`);
        await page.type('#lb-key', keys[name]);
        await page.click('#lb-unlock-submit');
        await page.waitForFunction(() => document.getElementById('lb-start')
          || (document.getElementById('lb-unlock-error') || {}).textContent, { timeout: 30000 });
        if (opens[entry].includes(name)) {
          assert.equal(await page.$('#lb-key'), null, `${entry} opens with ${name}`);
        } else {
          const text = await page.$eval('#lb-unlock-error', (e) => e.textContent);
          assert.match(text, new RegExp(`il s'ouvre avec la clé du groupe ${groups[entry]}`), `${entry} refuses ${name}`);
        }
        await s.close();
      }
    }
  });
});
