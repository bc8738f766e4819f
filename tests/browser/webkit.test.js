'use strict';
// The viewer in WebKit (Debian's WebKitGTK: WebKitWebDriver driving MiniBrowser, with selenium-webdriver
// over classic WebDriver), from file://: the fixture and example files (packed payloads, deep links,
// answers clicked, Back and Forward, images, search, the map) and a locked entry point opened with its key
// (PBKDF2 and AES-GCM in WebKit's crypto.subtle), and the call assistant (a field typed and shown later
// in another diagram, end call, the log), and the desk trial (tests/fixtures/desk-en: the question and
// its answers in view, a cross-link into a locked file and Back asking for the key once), and the outage
// notice on the launcher (`lifeboat notice`, reached from an entry file's link back). Every page
// must make no network request, log no error
// and break no rule of its own Content-Security-Policy.
//
// Classic WebDriver reports neither requests nor console messages, so each page is watched from inside:
// the suite opens copies of the built files in which one script, the probe, stands just before the CSP
// meta tag (so the policy, which applies from that tag on, is the page's own, byte for byte). The probe
// runs before the page's scripts and records CSP violations (`securitypolicyviolation`), uncaught errors
// and rejections, and console.error calls; when a page is left, its resource timing entries must all be
// file:, data: or blob: URLs. To prove the CSP watch works, an inline script added at the end must be
// refused and reported.
//
// WebKit pitfalls: Back skips history entries that a script made without a user gesture (el.click()),
// so every entry gone Back or Forward onto is made by a WebDriver element click or a WebDriver
// navigation; MiniBrowser is at least 447 px wide.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const h = require('./helpers');

const DRIVER = process.env.LIFEBOAT_WEBKIT_DRIVER;
const MINIBROWSER = process.env.LIFEBOAT_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const TIMEOUT = 10000;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function skipReason() {
  if (!DRIVER) return 'LIFEBOAT_WEBKIT_DRIVER is not set (run through `cargo test --test browser` with webkit2gtk-driver installed)';
  if (!fs.existsSync(DRIVER)) return `no WebKitWebDriver at ${DRIVER} (apt-get install webkit2gtk-driver)`;
  if (!fs.existsSync(MINIBROWSER)) return `no MiniBrowser at ${MINIBROWSER} (apt-get install libwebkit2gtk-4.1-0)`;
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display for MiniBrowser (run under xvfb-run)';
  for (const v of ['LIFEBOAT_FIXTURE_DIST', 'LIFEBOAT_DIST', 'LIFEBOAT_LOCKED_DIST', 'LIFEBOAT_CALL_DIST', 'LIFEBOAT_DESK_DIST']) {
    if (!process.env[v]) return `${v} is not set (run through \`cargo test --test browser\`)`;
  }
  return false;
}

/** Runs in each page before anything else (see the top of this file). */
function probe() {
  const p = { violations: [], problems: [] };
  window.lbProbe = p;
  document.addEventListener('securitypolicyviolation', (e) => {
    p.violations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
  // capture: also an element's failed load (an <img>), which does not bubble
  window.addEventListener(
    'error',
    (e) => {
      const t = e.target;
      p.problems.push(t && t !== window ? `load error: <${t.localName}> ${t.src || t.href || ''}` : `page error: ${e.message}`);
    },
    true,
  );
  window.addEventListener('unhandledrejection', (e) => {
    p.problems.push(`unhandled rejection: ${(e.reason && e.reason.message) || e.reason}`);
  });
  const error = console.error;
  console.error = function (...args) {
    p.problems.push(`console error: ${args.map(String).join(' ')}`);
    return error.apply(this, args);
  };
}

const CSP_META = /<meta\b[^>]*\bhttp-equiv=["']?Content-Security-Policy\b[^>]*>/i;

/** A copy of an HTML file with the probe just before its CSP meta tag (and so before every script). */
function withProbe(html, file) {
  const m = CSP_META.exec(html);
  assert.ok(m, `${file}: no CSP meta tag`);
  assert.doesNotMatch(html.slice(0, m.index), /<script/i, `${file}: a script before the CSP meta tag`);
  return `${html.slice(0, m.index)}<script>(${probe})()</script>${html.slice(m.index)}`;
}

/** Copies the HTML files of `dist` into `to` with the probe added; returns `to`. */
function probedCopy(dist, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(dist).filter((x) => x.endsWith('.html'))) {
    const file = path.join(dist, f);
    fs.writeFileSync(path.join(to, f), withProbe(fs.readFileSync(file, 'utf8'), file));
  }
  return to;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe('viewer in WebKit', { skip: skipReason() }, () => {
  let service;
  let server;
  let driverLog = '';
  let d;
  let temp;
  const copies = {};

  before(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-webkit-'));
    copies.fixture = probedCopy(process.env.LIFEBOAT_FIXTURE_DIST, path.join(temp, 'fixture'));
    copies.example = probedCopy(process.env.LIFEBOAT_DIST, path.join(temp, 'example'));
    copies.locked = probedCopy(process.env.LIFEBOAT_LOCKED_DIST, path.join(temp, 'locked'));
    copies.call = probedCopy(process.env.LIFEBOAT_CALL_DIST, path.join(temp, 'call'));
    copies.desk = probedCopy(process.env.LIFEBOAT_DESK_DIST, path.join(temp, 'desk'));
    if (process.env.LIFEBOAT_KEYGROUPS_DIST) {
      copies.groups = probedCopy(process.env.LIFEBOAT_KEYGROUPS_DIST, path.join(temp, 'groups'));
    }

    const port = await freePort();
    service = spawn(DRIVER, [`--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout.on('data', (b) => { driverLog += b; });
    service.stderr.on('data', (b) => { driverLog += b; });
    server = `http://127.0.0.1:${port}`;
    const ready = Date.now() + TIMEOUT;
    for (;;) {
      try {
        if ((await fetch(`${server}/status`)).ok) break;
      } catch (e) {
        // not listening yet
      }
      assert.ok(Date.now() < ready && service.exitCode === null, `WebKitWebDriver did not start:\n${driverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { Builder } = require('selenium-webdriver');
    d = await new Builder()
      .usingServer(server)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      })
      .build();
    await d.manage().window().setRect({ width: 1024, height: 768 });
  });

  after(async () => {
    if (d) await d.quit();
    if (service) service.kill();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  const { By } = require('selenium-webdriver');

  /** Waits until `fn` (run in the page with `args`) returns something truthy; returns it. */
  async function until(what, fn, ...args) {
    try {
      return await d.wait(() => d.executeScript(fn, ...args), TIMEOUT);
    } catch (e) {
      assert.fail(`timed out waiting for ${what} at ${await d.getCurrentUrl()}: ${e.message}`);
    }
  }

  async function heading(text) {
    try {
      await d.wait(
        () => d.executeScript((t) => {
          const el = document.getElementById('lb-heading');
          return !!el && el.textContent.trim() === t;
        }, text),
        TIMEOUT,
      );
    } catch (e) {
      const actual = await d.executeScript(() => {
        const el = document.getElementById('lb-heading');
        return el ? el.textContent.trim() : '(no #lb-heading)';
      });
      assert.fail(`expected heading "${text}", got "${actual}" at ${await d.getCurrentUrl()}`);
    }
  }

  const hash = () => d.executeScript(() => decodeURIComponent(location.hash));

  /**
   * Checks the document shown before it is left: the probe ran and saw no CSP violation and no error,
   * every resource it loaded is file:, data: or blob:, and the probe's CSP watch works.
   */
  async function checkPage() {
    const url = await d.getCurrentUrl();
    const seen = await d.executeScript(() => ({
      probe: !!window.lbProbe,
      violations: window.lbProbe && window.lbProbe.violations,
      problems: window.lbProbe && window.lbProbe.problems,
      resources: performance.getEntriesByType('resource').map((e) => e.name),
    }));
    assert.ok(seen.probe, `the probe ran at ${url}`);
    assert.deepEqual(seen.violations, [], `CSP violations at ${url}`);
    assert.deepEqual(seen.problems, [], `problems at ${url}`);
    assert.deepEqual(seen.resources.filter((u) => !/^(file|data|blob):/i.test(u)), [], `network requests at ${url}`);
    const probed = await d.executeAsyncScript(function () {
      const done = arguments[arguments.length - 1];
      const s = document.createElement('script');
      s.textContent = 'window.lbInlineRan = true;';
      document.head.append(s);
      const end = Date.now() + 2000;
      (function wait() {
        if (window.lbProbe.violations.length > 0 || Date.now() > end) {
          done({ ran: window.lbInlineRan === true, violations: window.lbProbe.violations });
        } else setTimeout(wait, 20);
      })();
    });
    assert.equal(probed.ran, false, `the page CSP refuses an inline script at ${url}`);
    assert.equal(probed.violations.length, 1, `the refused inline script is reported at ${url}: ${probed.violations}`);
    assert.match(probed.violations[0], /^script-src(-elem)? inline$/);
    return seen;
  }

  function node(payload, d0, n) {
    const diagram = payload.diagrams.find((x) => x.id === d0);
    return diagram && diagram.nodes.find((x) => x.id === n);
  }

  const route = (dd, n) => `#/${encodeURIComponent(dd)}/${encodeURIComponent(n)}`;

  async function walk(entry, dir) {
    const { payload } = entry;
    const html = fs.readFileSync(entry.file, 'utf8');
    assert.match(html, /id="?lb-nodes"?[^>]*>\s*[^{\s]/, `${entry.id}: #lb-nodes is packed`);
    const url = h.fileUrl(path.join(dir, path.basename(entry.file)));

    // a deep link to a node with an answer within the same entry point, opened as a new page
    const d0 = payload.diagrams.find((x) => x.nodes.some((n) => n.answers.some((a) => !a.entry)));
    assert.ok(d0, `${entry.id}: a node with an answer in the same entry point`);
    const from = d0.nodes.find((n) => n.answers.some((a) => !a.entry));
    await d.get(url + route(d0.id, from.id));
    await heading(from.title);

    // the answer, clicked; Back; Forward
    const answer = from.answers.findIndex((a) => !a.entry);
    const to = from.answers[answer];
    const target = node(payload, to.diagram, to.node);
    const links = await d.findElements(By.css('#lb-view a.lb-answer'));
    assert.equal(links.length, from.answers.length, `${entry.id}: one link per answer of ${from.id}`);
    await links[answer].click();
    await heading(target.title);
    assert.equal(await hash(), `#/${to.diagram}/${to.node}`);
    await d.navigate().back();
    await heading(from.title);
    await d.navigate().forward();
    await heading(target.title);

    // images of a node that shows one: blob: URLs, decoded
    const pictured = payload.diagrams.flatMap((x) => x.nodes.map((n) => [x, n])).find(([, n]) => /data-lb-img/.test(n.html || ''));
    if (pictured) {
      await d.executeScript((f) => { location.hash = f; }, route(pictured[0].id, pictured[1].id));
      await heading(pictured[1].title);
      await until(
        'the images to decode',
        () => [...document.querySelectorAll('#lb-view img[data-lb-img]')].every((i) => i.complete && i.naturalWidth > 0),
      );
      const srcs = await d.executeScript(() => [...document.querySelectorAll('#lb-view img[data-lb-img]')].map((i) => i.getAttribute('src')));
      assert.ok(srcs.length > 0 && srcs.every((src) => /^blob:/.test(src)), `${entry.id}: images use blob: URLs (${srcs})`);
    }

    // search: a word of the target's title finds it (the search texts come from #lb-more); the hit, clicked
    const targetHref = route(to.diagram, to.node);
    const word = fold(target.title).split(/[^a-z0-9]+/).filter((w) => w.length >= 4).sort((a, b) => b.length - a.length)[0];
    if (word) {
      await d.findElement(By.css('#lb-search')).sendKeys(word);
      const found = await until('search results', () => {
        const a = [...document.querySelectorAll('#lb-results-list a')].map((x) => x.getAttribute('href'));
        return a.length > 0 && a;
      });
      assert.ok(found.includes(targetHref), `${entry.id}: searching "${word}" lists ${targetHref}: ${found}`);
      await d.findElement(By.css(`#lb-results-list a[href="${targetHref}"]`)).click();
      await heading(target.title);
    }

    // the map of a diagram draws its SVG
    await d.executeScript((f) => { location.hash = f; }, `#/~map/${encodeURIComponent(d0.id)}/${encodeURIComponent(from.id)}`);
    await until('the map', () => !!document.querySelector('#lb-view svg'));
    await checkPage();

    // the home page, a new page again: a diagram link clicked, Back, Forward
    await d.get(url);
    await heading(payload.entry.title);
    const diagramLinks = await d.findElements(By.css('.lb-diagram-link'));
    assert.equal(diagramLinks.length, payload.diagrams.length);
    await diagramLinks[0].click();
    await until('a node route', () => /^#\/[^~]/.test(location.hash));
    const [dd, n] = (await hash()).replace(/^#\//, '').split('/');
    const start = node(payload, dd, n);
    assert.ok(start, `${entry.id}: the diagram link leads to a node of the payload (${dd}/${n})`);
    await heading(start.title);
    await d.navigate().back();
    await heading(payload.entry.title);
    await d.navigate().forward();
    await heading(start.title);
    await checkPage();
  }

  it('sees what the watch is for: a request, a failed load, a console error and an uncaught error', async () => {
    // A page without CSP, probe first, that loads an image from the driver's own HTTP server (local,
    // and not an image) and logs an error, then throws: the in-page watch must see all of it.
    const file = path.join(temp, 'watch.html');
    fs.writeFileSync(
      file,
      `<!doctype html><html lang=en><head><meta charset=utf-8><script>(${probe})()</script><title>watch</title></head>` +
        `<body><img alt="" src="${server}/status"><script>console.error('logged'); throw new Error('thrown');</script></body></html>`,
    );
    await d.get(h.fileUrl(file));
    const seen = await until('the watch to see the failed load', () => {
      const p = window.lbProbe;
      return p.problems.some((x) => x.startsWith('load error')) && { problems: p.problems, resources: performance.getEntriesByType('resource').map((e) => e.name) };
    });
    assert.deepEqual(seen.resources, [`${server}/status`], 'resource timing lists the request');
    // (WebKit gives a file:// page's own errors as "Script error.": each file is an origin of its own)
    const problems = seen.problems.map((x) => x.replace(/^page error: .*/, 'page error')).sort();
    assert.deepEqual(problems, ['console error: logged', `load error: <img> ${server}/status`, 'page error']);
  });

  it('opens the fixture files from file:// and follows deep links, answers, Back, Forward, search, images and the map', async () => {
    const list = h.entries(process.env.LIFEBOAT_FIXTURE_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry, copies.fixture);
  });

  it('opens every entry file of the example content the same way', async () => {
    const list = h.entries(process.env.LIFEBOAT_DIST);
    assert.ok(list.length > 0);
    for (const entry of list) await walk(entry, copies.example);
  });

  it('a search from the home page finds a step of another entry point by one of its answers, and opens it', async () => {
    const c = h.siblingAnswerCase(process.env.LIFEBOAT_DIST);
    assert.ok(c, 'the example has an answer to search for');
    await d.get(h.fileUrl(path.join(copies.example, path.basename(c.from))) + '#/');
    await until('the home page', () => !!document.getElementById('lb-heading'));
    await d.findElement(By.css('#lb-search')).sendKeys(c.query);
    const found = await until('the hit', (href) => {
      const a = document.querySelector(`#lb-results-list a[href="${href}"]`);
      return a && { text: a.textContent, marks: a.closest('li').querySelectorAll('.lb-result-snippet mark').length };
    }, c.href);
    assert.equal(found.text, `${c.entryTitle} › ${c.diagramTitle} › ${c.title}`);
    assert.ok(found.marks >= c.words.length, `the snippet marks the words (${found.marks})`);
    await d.findElement(By.css(`#lb-results-list a[href="${c.href}"]`)).click();
    await heading(c.title);
    assert.ok((await d.getCurrentUrl()).endsWith(c.href));
    await checkPage();
  });

  /** Clicks (a WebDriver click) the answer named `label` of the node shown, then waits for `next`. */
  async function take(label, next) {
    const links = await d.findElements(By.css('#lb-view a.lb-answer'));
    const labels = await d.executeScript(() => [...document.querySelectorAll('#lb-view a.lb-answer .lb-answer-label')].map((e) => e.textContent));
    assert.ok(labels.includes(label), `an answer "${label}" in ${labels}`);
    await links[labels.indexOf(label)].click();
    await heading(next);
  }

  it('call assistant: a field typed once is shown in another diagram, the call ends into the log', async () => {
    const url = h.fileUrl(path.join(copies.call, 'accueil.html'));
    const site = h.readPayload(path.join(process.env.LIFEBOAT_CALL_DIST, 'accueil.html')).call.site;
    await d.get(url + '#/identification/identifier');
    await heading('Identifier le client');
    await d.findElement(By.css('#lb-view [data-lb-field="numero_compte"]')).sendKeys('12345678');
    await d.findElement(By.css('#lb-view [data-lb-field="telephone_rappel"]')).sendKeys('0601020304');
    // The driver's own scrolling ignores the page's scroll padding, which keeps the field above the docked
    // answers (layout.js); the page's scrollIntoView, like a focus, honours it.
    await d.executeScript(() => document.querySelector('#lb-view select[data-lb-field="motif"]').scrollIntoView({ block: 'end' }));
    await d.findElement(By.css('#lb-view select[data-lb-field="motif"] option[value="Facture"]')).click();
    await take('Client identifié', 'Vérifier la facture');
    assert.deepEqual(await d.executeScript(() => [...document.querySelectorAll('#lb-view td .lb-call')].map((e) => e.textContent)), ['12345678', '0601020304']);
    assert.equal(await d.executeScript(() => document.querySelector('#lb-view a[data-lb-href]').getAttribute('href')), 'https://crm.example.invalid/fiche?compte=12345678');
    await take('Erreur de facturation confirmée', 'Accorder un geste commercial');
    await take('Geste accordé', 'Geste commercial accordé');
    await until('the notes to open', () => !document.getElementById('lb-call-panel').hidden);
    await d.findElement(By.css('#lb-call-comment')).sendKeys('Rappel demain');
    assert.match(await d.executeScript(() => document.getElementById('lb-call-note').value), /Numéro de compte\u00a0: 12345678[\s\S]*Commentaire\u00a0: Rappel demain/);
    await d.findElement(By.css('#lb-call-end')).click();
    await heading('Accueil téléphonique');
    const records = await d.executeScript((k) => JSON.parse(localStorage.getItem(k) || '[]'), `lifeboat:v1:${site}:log`);
    assert.equal(records.length, 1, 'one record in the log');
    assert.deepEqual(records[0].fields, { numero_compte: '12345678', telephone_rappel: '0601020304', motif: 'Facture' });
    assert.deepEqual(records[0].path.map((x) => x.answer), ['Client identifié', 'Erreur de facturation confirmée', 'Geste accordé', null]);
    await d.findElement(By.css('#lb-call-loglink')).click();
    await heading('Journal des appels');
    await until('the record listed', () => document.querySelectorAll('.lb-call-record').length === 1);
    await checkPage();
    await d.executeScript((k) => localStorage.removeItem(k), `lifeboat:v1:${site}:log`);
  });

  it('desk trial: the question and its answers in view at 1280×800, the ring in the accent', async () => {
    const payload = h.readPayload(path.join(process.env.LIFEBOAT_DESK_DIST, 'cards.html'));
    await d.manage().window().setRect({ width: 1280, height: 800 });
    await d.get(h.fileUrl(path.join(copies.desk, 'cards.html')) + '#/');
    await heading('Card services');
    for (const dd of payload.diagrams) {
      for (const n of dd.nodes.filter((x) => x.answers.length)) {
        await d.executeScript((f) => { location.hash = f; }, route(dd.id, n.id));
        await heading(n.title);
        const seen = await d.executeAsyncScript(function () {
          const done = arguments[arguments.length - 1];
          requestAnimationFrame(() => requestAnimationFrame(() => {
            const vh = window.innerHeight;
            const inView = (el) => {
              const b = el.getBoundingClientRect();
              const at = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
              return b.top >= 0 && b.bottom <= vh && !!at && el.contains(at);
            };
            done([inView(document.getElementById('lb-heading'))].concat([...document.querySelectorAll('#lb-view .lb-answer')].map(inView)));
          }));
        });
        assert.deepEqual(seen, seen.map(() => true), `WebKit: ${dd.id}/${n.id} heading and answers in view`);
      }
    }
    await d.executeScript(() => { location.hash = '#/lost-card/identify'; });
    await heading('Identify the customer and the card');
    await d.findElement(By.css('body')).sendKeys('1');
    await heading('When and where was it lost?');
    const ring = await d.executeScript(() => {
      const cs = getComputedStyle(document.activeElement);
      return [document.activeElement.id, cs.outlineColor];
    });
    assert.deepEqual(ring, ['lb-heading', 'rgb(10, 92, 54)']);
    await checkPage();
    await d.manage().window().setRect({ width: 1024, height: 768 });
  });

  it('desk trial: a cross-link into the locked file asks for the key once, Back does not ask again', async () => {
    await d.get(h.fileUrl(path.join(copies.desk, 'cards.html')) + '#/lost-card/when-lost');
    await heading('When and where was it lost?');
    await take('Unknown payments seen', 'Fraud checks');
    await until('the key field', () => !!document.getElementById('lb-key'));
    assert.equal(await d.executeScript(() => document.getElementById('lb-remember').checked), true);
    await d.findElement(By.css('#lb-key')).sendKeys(process.env.LIFEBOAT_LOCKED_KEY);
    await d.findElement(By.css('#lb-unlock-submit')).click();
    await heading('Verify the unknown payments');
    await take('Block the card', 'Block the card');
    await d.navigate().back();
    await heading('Verify the unknown payments');
    assert.equal(await d.executeScript(() => !!document.getElementById('lb-key')), false, 'no key asked after Back');
    await checkPage();
  });

  it('outage notice: the launcher shows it, an entry file links back to it, then "restored" with its link', async () => {
    // `lifeboat notice` ($LIFEBOAT_BIN) on a copy of the example, then probed copies of its pages.
    assert.ok(process.env.LIFEBOAT_BIN, 'LIFEBOAT_BIN is set (run through `cargo test --test browser`)');
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-notice-wk-'));
    const share = path.join(temp, 'share');
    const notice = (...args) => execFileSync(process.env.LIFEBOAT_BIN, ['notice', share, ...args], {
      env: { ...process.env, LIFEBOAT_NOW: '1763900000' },
    });
    try {
      fs.cpSync(process.env.LIFEBOAT_DIST, share, { recursive: true });
      notice('Le CRM est indisponible depuis 9h10.', '--by', 'Cellule de continuité');
      let pages = probedCopy(share, path.join(temp, 'set'));
      const entry = h.entries(pages)[0];
      await d.get(h.fileUrl(entry.file));
      await heading(entry.payload.entry.title);
      await checkPage();
      await d.findElement(By.css('#lb-launcher')).click();
      await until('the launcher', () => /index\.html$/.test(location.href) && !!document.getElementById('lb-notice'));
      const text = await d.executeScript(() => document.querySelector('#lb-notice .notice-text').textContent.trim());
      assert.equal(text, 'Le CRM est indisponible depuis 9h10.');
      await checkPage();

      notice('--restored', 'Service rétabli.');
      pages = probedCopy(share, path.join(temp, 'restored'));
      await d.get(h.fileUrl(path.join(pages, 'index.html')));
      await until('the link back', () => !!document.querySelector('#lb-notice .notice-back a'));
      const href = await d.executeScript(() => document.querySelector('#lb-notice .notice-back a').getAttribute('href'));
      assert.match(href, /^https:\/\//);
      await checkPage();
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  it('unlocks a locked entry point with its key', async () => {
    await d.get(h.fileUrl(path.join(copies.locked, 'coffre.html')));
    await until('the key field', () => !!document.getElementById('lb-key'));
    assert.deepEqual(
      await d.executeScript(() => [isSecureContext, typeof crypto.subtle, typeof DecompressionStream]),
      [true, 'object', 'function'],
      'file:// is a secure context with crypto.subtle and DecompressionStream',
    );
    assert.doesNotMatch(await d.findElement(By.css('body')).getText(), /Suspicion de fraude/);
    await d.findElement(By.css('#lb-key')).sendKeys(process.env.LIFEBOAT_LOCKED_KEY);
    await d.findElement(By.css('#lb-unlock-submit')).click();
    await until('the unlocked home', () => !document.getElementById('lb-key') && document.querySelectorAll('.lb-diagram-link').length > 0);
    assert.match(await d.executeScript(() => document.getElementById('lb-view').textContent), /Suspicion de fraude/);
    await checkPage();
  });
  it('key groups: each key opens exactly its files, a wrong group\'s key is refused with the message', { skip: !process.env.LIFEBOAT_KEYGROUPS_DIST && 'LIFEBOAT_KEYGROUPS_DIST is not set' }, async () => {
    const keys = JSON.parse(process.env.LIFEBOAT_KEYGROUPS_KEYS);
    const opens = { factures: ['facturation', 'direction', 'recovery'], fraude: ['fraude', 'direction', 'recovery'] };
    const groups = { factures: 'Facturation ou Direction', fraude: 'Fraude ou Direction' };
    for (const entry of Object.keys(opens)) {
      for (const name of ['facturation', 'fraude', 'direction', 'recovery']) {
        await d.get(h.fileUrl(path.join(copies.groups, `${entry}.html`)));
        await until('the key field', () => !!document.getElementById('lb-key'));
        assert.equal(await d.executeScript(() => document.getElementById('lb-key-groups').textContent), `Clé du groupe ${groups[entry]}`);
        await d.findElement(By.css('#lb-key')).sendKeys(keys[name]);
        await d.findElement(By.css('#lb-unlock-submit')).click();
        await until('opened or refused', () => !!document.getElementById('lb-start')
          || !!(document.getElementById('lb-unlock-error') || {}).textContent);
        const [open, error] = await d.executeScript(() => [!document.getElementById('lb-key'),
          (document.getElementById('lb-unlock-error') || {}).textContent || '']);
        if (opens[entry].includes(name)) {
          assert.ok(open, `${entry} opens with ${name}: ${error}`);
        } else {
          assert.match(error, new RegExp(`il s'ouvre avec la clé du groupe ${groups[entry]}`), `${entry} refuses ${name}`);
        }
        await checkPage();
        // "Stay unlocked" is on by default: the next case must be asked for its key again.
        await d.executeScript(() => sessionStorage.clear());
      }
    }
  });
});
