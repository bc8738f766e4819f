'use strict';
// The call assistant (themes/default/call.js, calllog.js) in Chromium, from file://, on
// tests/fixtures/call-site (built by tests/browser.rs into $LIFEBOAT_CALL_DIST with $LIFEBOAT_LOCKED_KEY
// for its locked entry point `coffre`) and tests/fixtures/call-nolog ($LIFEBOAT_CALL_NOLOG_DIST, the log
// turned off, a wrap-up template of its own). Fields typed once and shown later in another diagram (text,
// table, link destination), the path and the note, copy, end call and the log, reload and a closed
// browser, exports (CSV and JSON downloads) merged by the real binary (`lifeboat calls merge`, $LIFEBOAT_BIN),
// purge by age, storage failures, a locked entry point's
// encrypted storage, axe, every page under its own CSP, a whole call by keyboard only.
// Every page is watched for network requests, console errors and page errors (helpers.openContext).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_CALL_DIST;
const NOLOG = process.env.LIFEBOAT_CALL_NOLOG_DIST;
const KEY = process.env.LIFEBOAT_LOCKED_KEY || '';
const DAY = 86400000;
// The lifeboat binary (tests/browser.rs passes CARGO_BIN_EXE_lifeboat), for `lifeboat calls merge`.
const BIN = process.env.LIFEBOAT_BIN;

function skipReason() {
  return h.skipReason('LIFEBOAT_CALL_DIST') || h.skipReason('LIFEBOAT_CALL_NOLOG_DIST') || h.skipReason('LIFEBOAT_LOCKED_KEY');
}

/** Values of an RFC 4180 CSV text (CRLF line ends, quoted cells), as rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      assert.notEqual(c, '\n', 'a bare LF outside quotes');
      cell += c;
    }
  }
  assert.equal(cell, '', 'the CSV ends with CRLF');
  return rows;
}

describe('call assistant', { skip: skipReason() }, () => {
  let browser;
  let accueil;
  let coffre;
  let site;
  let fresh;
  let tmp;

  before(async () => {
    accueil = path.join(DIST, 'accueil.html');
    coffre = path.join(DIST, 'coffre.html');
    const payload = h.readPayload(accueil);
    site = payload.call.site;
    fresh = payload.snapshot.epoch * 1000 + 2 * DAY;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-call-'));
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function open(fragment = '#/', opts = {}, file = accueil) {
    const s = await h.openContext(browser, { now: fresh, ...opts });
    if (opts.init) await s.context.addInitScript(opts.init);
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(file, fragment));
    await page.waitForSelector('#lb-heading');
    return { ...s, page };
  }

  const inView = (page, label) => page.locator('#lb-view').getByLabel(label, { exact: true });
  const inPanel = (page, label) => page.locator('#lb-call-panel').getByLabel(label, { exact: true });
  const answer = (page, label) => page.locator('#lb-view').getByRole('link', { name: label, exact: true });
  const shown = (page, name) => page.locator(`#lb-view .lb-call[data-lb-call="${name}"]`);
  const log = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || 'null'), `lifeboat:v1:${site}:log`);

  /** Types the identification step's fields and takes "Client identifié". */
  async function identify(page, account = '12345678', phone = '06 01 02 03 04') {
    await page.goto(h.fileUrl(accueil, '#/identification/identifier'));
    await h.waitHeading(page, 'Identifier le client');
    await inView(page, 'Numéro de compte').fill(account);
    await inView(page, 'Téléphone de rappel').fill(phone);
    await inView(page, "Motif de l'appel").selectOption('Facture');
    await answer(page, 'Client identifié').click();
    await h.waitHeading(page, 'Vérifier la facture');
  }

  /** From "Vérifier la facture" to the end point "Geste commercial accordé". */
  async function toEnd(page) {
    await answer(page, 'Erreur de facturation confirmée').click();
    await h.waitHeading(page, 'Accorder un geste commercial');
    await answer(page, 'Geste accordé').click();
    await h.waitHeading(page, 'Geste commercial accordé');
  }

  it('shows a field typed at one step in a later step of another diagram: text, table and link, live', async () => {
    const s = await open('#/facturation/verifier');
    const { page } = s;
    // nothing typed yet: a placeholder with the field's label, not a value
    const empty = shown(page, 'numero_compte').first();
    assert.equal(await empty.textContent(), '[Numéro de compte : non saisi]');
    assert.match(await empty.getAttribute('class'), /lb-call-empty/);
    const link = page.locator('#lb-view').getByRole('link', { name: 'fiche du client' });
    assert.equal(await link.getAttribute('href'), 'https://crm.example.invalid/fiche?compte=');

    await page.goto(h.fileUrl(accueil, '#/identification/identifier'));
    await h.waitHeading(page, 'Identifier le client');
    const account = inView(page, 'Numéro de compte');
    assert.equal(await account.getAttribute('type'), 'text');
    assert.equal(await inView(page, 'Téléphone de rappel').getAttribute('type'), 'tel');
    assert.equal(await inView(page, "Motif de l'appel").evaluate((e) => e.tagName), 'SELECT');
    assert.match(await account.evaluate((e) => e.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent).join('|')), /8 chiffres/);
    // the pattern: a visible message once the value is left, never a block
    await account.fill('1234 5678&x');
    await inView(page, 'Téléphone de rappel').focus();
    const msg = page.locator('#lb-view .lb-field-msg').first();
    assert.match(await msg.textContent(), /Format attendu : 8 chiffres/);
    assert.equal(await account.getAttribute('aria-invalid'), 'true');
    await inView(page, 'Téléphone de rappel').fill('+33 6 01 02 03 04');
    await inView(page, "Motif de l'appel").selectOption('Facture');
    await answer(page, 'Client identifié').click();
    await h.waitHeading(page, 'Vérifier la facture');
    // another diagram: in the text, in the table, in the link (encoded)
    assert.equal(await shown(page, 'numero_compte').first().textContent(), '1234 5678&x');
    assert.deepEqual(await page.locator('#lb-view td .lb-call').allTextContents(), ['1234 5678&x', '+33 6 01 02 03 04']);
    assert.equal(await link.getAttribute('href'), 'https://crm.example.invalid/fiche?compte=1234%205678%26x');
    assert.doesNotMatch(await shown(page, 'numero_compte').first().getAttribute('class'), /lb-call-empty/);
    // changed in the notes panel: every place follows, live
    await page.locator('#lb-call-toggle').click();
    assert.equal(await page.locator('#lb-call-toggle').getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-call-title');
    await inPanel(page, 'Numéro de compte').fill('12345678');
    assert.deepEqual(await page.locator('#lb-view td .lb-call').allTextContents(), ['12345678', '+33 6 01 02 03 04']);
    assert.equal(await link.getAttribute('href'), 'https://crm.example.invalid/fiche?compte=12345678');
    assert.equal(await page.locator('#lb-call-panel .lb-field-msg').first().textContent(), '');
    // the same field asked again later shows the same value
    await answer(page, 'Erreur de facturation confirmée').click();
    await h.waitHeading(page, 'Accorder un geste commercial');
    assert.equal(await inView(page, 'Numéro de compte').inputValue(), '12345678');
    assert.equal(await shown(page, 'telephone_rappel').textContent(), '+33 6 01 02 03 04');
    await h.checkNoStyleAttributes(page);
    await s.close();
  });

  it('walks to an end point: the notes open with path, answers, fields and comment; copy works', async () => {
    const s = await open('#/');
    const { page } = s;
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await identify(page);
    assert.ok(await page.locator('#lb-call-panel').isHidden(), 'the notes stay closed on a step with answers');
    await toEnd(page);
    assert.ok(await page.locator('#lb-call-panel').isVisible(), 'the notes open on an end point');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading', 'focus stays on the step');
    await page.locator('#lb-call-comment').fill('Rappeler demain, avant 10 h');
    const note = await page.locator('#lb-call-note').inputValue();
    const lines = note.split('\n');
    assert.match(lines[0], /^Appel du .+ — Accueil téléphonique$/);
    for (const l of [
      'Numéro de compte\u00a0: 12345678',
      'Téléphone de rappel\u00a0: 06 01 02 03 04',
      "Motif de l'appel\u00a0: Facture",
      'Identification du client › Identifier le client → Client identifié',
      'Litige de facturation › Vérifier la facture → Erreur de facturation confirmée',
      'Litige de facturation › Accorder un geste commercial → Geste accordé',
      'Litige de facturation › Geste commercial accordé',
      'Fin\u00a0: Geste commercial accordé',
      'Commentaire\u00a0: Rappeler demain, avant 10 h',
      'Note prise sur la copie hors ligne du 2025-11-22',
      'Environnement\u00a0: bcp',
    ]) assert.ok(lines.includes(l), `the note has "${l}":\n${note}`);
    await page.locator('#lb-call-copy').click();
    await page.waitForFunction(() => /copiée/.test(document.getElementById('lb-call-status').textContent));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), note);
    assert.equal(await page.locator('#lb-call-status').getAttribute('role'), 'status');
    await s.close();
  });

  it('copies through a selected text area when the clipboard API refuses', async () => {
    const s = await open('#/', {
      init: () => {
        if (navigator.clipboard) navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
      },
    });
    const { page } = s;
    await identify(page);
    await page.locator('#lb-call-toggle').click();
    await page.evaluate(() => {
      window.lbCopied = null;
      document.addEventListener('copy', () => { window.lbCopied = String(document.getSelection() || document.activeElement.value); });
    });
    await page.locator('#lb-call-copy').click();
    await page.waitForFunction(() => document.getElementById('lb-call-status').textContent !== '');
    const status = await page.locator('#lb-call-status').textContent();
    assert.match(status, /Note copiée|Ctrl\+C/);
    const note = await page.locator('#lb-call-note').inputValue();
    const sel = await page.locator('#lb-call-note').evaluate((t) => [t.selectionStart, t.selectionEnd]);
    assert.deepEqual(sel, [0, note.length], 'the whole note is selected');
    if (/copiée/.test(status)) assert.ok(await page.evaluate(() => window.lbCopied !== null), 'the copy command ran');
    await s.close();
  });

  it('ends the call: a record in the log (contract format), then a new call from home', async () => {
    const s = await open('#/');
    const { page } = s;
    await identify(page);
    await toEnd(page);
    await page.locator('#lb-call-comment').fill('Client satisfait');
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await page.waitForFunction(() => /enregistré dans le journal/.test(document.getElementById('lb-call-flash').textContent));
    assert.ok(await page.locator('#lb-call-panel').isHidden());
    const records = await log(page);
    assert.equal(records.length, 1);
    const r = records[0];
    assert.match(r.id, /^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    assert.equal(r.id.slice(0, 16), r.ended.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, ''));
    assert.deepEqual(Object.keys(r), ['id', 'started', 'ended', 'entry', 'entry_title', 'environment', 'snapshot', 'path', 'end', 'fields', 'comment']);
    assert.deepEqual({ ...r, id: 0, started: 0, ended: 0 }, {
      id: 0,
      started: 0,
      ended: 0,
      entry: 'accueil',
      entry_title: 'Accueil téléphonique',
      environment: 'bcp',
      snapshot: '2025-11-22',
      path: [
        { diagram: 'Identification du client', step: 'Identifier le client', answer: 'Client identifié' },
        { diagram: 'Litige de facturation', step: 'Vérifier la facture', answer: 'Erreur de facturation confirmée' },
        { diagram: 'Litige de facturation', step: 'Accorder un geste commercial', answer: 'Geste accordé' },
        { diagram: 'Litige de facturation', step: 'Geste commercial accordé', answer: null },
      ],
      end: 'Geste commercial accordé',
      fields: { numero_compte: '12345678', telephone_rappel: '06 01 02 03 04', motif: 'Facture' },
      comment: 'Client satisfait',
    });
    assert.ok(r.started <= r.ended);
    // a new call: nothing kept
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), `lifeboat:v1:${site}:call`), null);
    await page.goto(h.fileUrl(accueil, '#/identification/identifier'));
    await h.waitHeading(page, 'Identifier le client');
    assert.equal(await inView(page, 'Numéro de compte').inputValue(), '');
    await page.locator('#lb-call-toggle').click();
    assert.equal(await page.locator('#lb-call-comment').inputValue(), '');
    // the log view lists it, and its note reopens
    await page.locator('#lb-call-loglink').click();
    await h.waitHeading(page, 'Journal des appels');
    assert.match(await page.locator('#lb-view').textContent(), /Déposez vos exports dans\u00a0: ?X:\\Continuite\\Appels/);
    assert.equal(await page.locator('.lb-call-record').count(), 1);
    await page.locator('.lb-call-record a').click();
    await page.waitForSelector('#lb-record-note');
    const note = await page.locator('#lb-record-note').inputValue();
    assert.match(note, /Commentaire\u00a0: Client satisfait/);
    assert.match(note, /Fin\u00a0: Geste commercial accordé/);
    assert.match(await h.hash(page), new RegExp(`^#/~calls/${r.id}$`));
    await page.goto(h.fileUrl(accueil, '#/~calls/19990101T000000Z-000000000000'));
    await h.waitHeading(page, 'Page introuvable');
    await s.close();
  });

  it('asks before a new call drops something unsaved, in an accessible in-page dialog', async () => {
    const s = await open('#/identification/identifier');
    const { page } = s;
    page.on('dialog', () => assert.fail('window.confirm or alert was used'));
    await inView(page, 'Numéro de compte').fill('11112222');
    await page.locator('#lb-call-toggle').click();
    await page.locator('#lb-call-new').click();
    const dialog = page.getByRole('dialog', { name: "Abandonner l'appel en cours\u00a0?" });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Annuler', 'focus on the safe choice');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-call-new', 'focus back on the button');
    assert.equal(await inView(page, 'Numéro de compte').inputValue(), '11112222');
    await page.locator('#lb-call-new').click();
    await dialog.getByRole('button', { name: 'Effacer et commencer un nouvel appel' }).click();
    await h.waitHeading(page, 'Accueil téléphonique');
    assert.equal(await log(page), null, 'nothing saved');
    // nothing in progress: no question
    await page.locator('#lb-call-toggle').click();
    await page.locator('#lb-call-new').click();
    assert.equal(await page.locator('dialog').count(), 0);
    await s.close();
  });

  it('keeps the call in progress across a reload', async () => {
    const s = await open('#/');
    const { page } = s;
    await identify(page, '87654321');
    await page.locator('#lb-call-toggle').click();
    await page.locator('#lb-call-comment').fill('En attente');
    await page.reload();
    await h.waitHeading(page, 'Vérifier la facture');
    assert.equal(await shown(page, 'numero_compte').first().textContent(), '87654321');
    await page.locator('#lb-call-toggle').click();
    assert.equal(await page.locator('#lb-call-comment').inputValue(), 'En attente');
    const note = await page.locator('#lb-call-note').inputValue();
    assert.match(note, /Identification du client › Identifier le client → Client identifié\nLitige de facturation › Vérifier la facture\n/);
    await s.close();
  });

  it('keeps two tabs of the site on the same call', async () => {
    const s = await open('#/facturation/verifier');
    const { page } = s;
    const other = await s.context.newPage();
    await other.goto(h.fileUrl(accueil, '#/identification/identifier'));
    await h.waitHeading(other, 'Identifier le client');
    await inView(other, 'Numéro de compte').fill('24682468');
    await page.waitForFunction(() => document.querySelector('#lb-view .lb-call').textContent === '24682468');
    assert.equal(await page.locator('#lb-view a[data-lb-href]').getAttribute('href'), 'https://crm.example.invalid/fiche?compte=24682468');
    await s.close();
  });

  it('keeps the log when the browser is closed and opened again (persistent profile)', async () => {
    const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
    const launch = () => chromium.launchPersistentContext(profile, {
      executablePath: process.env.LIFEBOAT_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      headless: true,
    });
    let ctx = await launch();
    let page = ctx.pages()[0] || (await ctx.newPage());
    await identify(page, '55556666');
    await toEnd(page);
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await ctx.close();
    ctx = await launch();
    page = ctx.pages()[0] || (await ctx.newPage());
    await page.goto(h.fileUrl(accueil, '#/~calls'));
    await h.waitHeading(page, 'Journal des appels');
    assert.equal(await page.locator('.lb-call-record').count(), 1);
    assert.match(await page.locator('.lb-call-record').textContent(), /55556666/);
    await ctx.close();
  });

  it('exports CSV (BOM, CRLF, RFC 4180, one column per field, accents) and JSON, then clears after asking', async () => {
    const s = await open('#/');
    const { page } = s;
    await identify(page, '12345678', '06 "11" 22');
    await toEnd(page);
    await page.locator('#lb-call-comment').fill('Ligne 1, avec virgule\nLigne 2 : «\u00a0é\u00a0»');
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await page.goto(h.fileUrl(accueil, '#/identification/introuvable'));
    await h.waitHeading(page, 'Client introuvable');
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await page.locator('#lb-call-loglink').click();
    await h.waitHeading(page, 'Journal des appels');
    assert.equal(await page.locator('.lb-call-record').count(), 2);

    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.locator('#lb-calls-csv').click()]);
    assert.match(csvDl.suggestedFilename(), new RegExp(`^appels-${site}-\\d{8}-\\d{4}-[0-9a-f]{6}\\.csv$`));
    const bytes = fs.readFileSync(await csvDl.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    assert.deepEqual(rows[0], ['id', 'started', 'ended', 'entry', 'environment', 'snapshot', 'end', 'path', 'comment', 'numero_compte', 'telephone_rappel', 'motif']);
    assert.equal(rows.length, 3);
    const col = (row, name) => row[rows[0].indexOf(name)];
    const [first, second] = rows.slice(1);
    assert.ok(col(first, 'ended') <= col(second, 'ended'), 'oldest first');
    assert.equal(col(first, 'comment'), 'Ligne 1, avec virgule\nLigne 2 : «\u00a0é\u00a0»');
    assert.equal(col(first, 'telephone_rappel'), '06 "11" 22');
    assert.equal(col(first, 'end'), 'Geste commercial accordé');
    assert.equal(col(first, 'entry'), 'accueil');
    assert.equal(col(first, 'environment'), 'bcp');
    assert.equal(col(first, 'path'), 'Identification du client › Identifier le client → Client identifié | ' +
      'Litige de facturation › Vérifier la facture → Erreur de facturation confirmée | ' +
      'Litige de facturation › Accorder un geste commercial → Geste accordé | Litige de facturation › Geste commercial accordé');
    assert.equal(col(second, 'numero_compte'), '', 'an empty cell for a field not typed');
    assert.equal(col(second, 'end'), 'Client introuvable');
    assert.match(await page.locator('#lb-calls-status').textContent(), /Export téléchargé/);

    const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.locator('#lb-calls-json').click()]);
    assert.match(jsonDl.suggestedFilename(), new RegExp(`^appels-${site}-\\d{8}-\\d{4}-[0-9a-f]{6}\\.json$`));
    const exp = JSON.parse(fs.readFileSync(await jsonDl.path(), 'utf8'));
    assert.equal(exp.format, 'lifeboat-calls');
    assert.equal(exp.version, 1);
    assert.equal(exp.site, "Centre d'appels de test");
    assert.equal(exp.site_id, site);
    assert.deepEqual(exp.fields, [
      { name: 'numero_compte', label: 'Numéro de compte' },
      { name: 'telephone_rappel', label: 'Téléphone de rappel' },
      { name: 'motif', label: "Motif de l'appel" },
    ]);
    assert.deepEqual(exp.records, await log(page));
    assert.deepEqual(exp.records[1].fields, {});

    // clear: asked first (both exported, so it says so), then empty
    await page.locator('#lb-calls-clear').click();
    const dialog = page.getByRole('dialog', { name: 'Vider le journal des appels\u00a0?' });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Les 2 appels exportés/);
    await dialog.getByRole('button', { name: 'Supprimer les appels' }).click();
    await page.waitForFunction(() => /Aucun appel/.test(document.getElementById('lb-view').textContent));
    assert.deepEqual(await log(page), []);
    await s.close();
  });

  it('names two browsers\' exports of the same minute apart, and one browser\'s alike', async () => {
    // Agents drop their exports into one shared folder: the same name would replace a file.
    const names = [];
    for (let agent = 0; agent < 2; agent++) {
      const s = await open('#/', { now: fresh });
      await identify(s.page, '12345678', '0611');
      await toEnd(s.page);
      await s.page.locator('#lb-call-end').click();
      await h.waitHeading(s.page, 'Accueil téléphonique');
      await s.page.locator('#lb-call-loglink').click();
      await h.waitHeading(s.page, 'Journal des appels');
      for (let i = 0; i < 2; i++) {
        const [dl] = await Promise.all([s.page.waitForEvent('download'), s.page.locator('#lb-calls-csv').click()]);
        names.push(dl.suggestedFilename());
      }
      await s.close();
    }
    assert.equal(names[0], names[1], 'one browser keeps its mark');
    assert.equal(names[2], names[3]);
    assert.notEqual(names[0], names[2], `two browsers, one minute: ${names.join(', ')}`);
  });

  it('merges the CSV and JSON downloads of two agents with the real binary (lifeboat calls merge)', {
    // Outside CI a run without the binary skips this test; in CI it fails (tests/browser.rs passes it).
    skip: BIN || process.env.CI ? false : 'LIFEBOAT_BIN is not set (run through `cargo test --test browser`)',
  }, async () => {
    assert.ok(BIN, 'LIFEBOAT_BIN is not set: tests/browser.rs passes the lifeboat binary (required in CI)');
    const drop = fs.mkdtempSync(path.join(tmp, 'drop-'));
    /** Downloads the log view's CSV and JSON exports into `drop`: their paths and the JSON's content. */
    async function exportLog(page) {
      await page.locator('#lb-call-loglink').click();
      await h.waitHeading(page, 'Journal des appels');
      const files = [];
      for (const id of ['#lb-calls-csv', '#lb-calls-json']) {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
        const file = path.join(drop, dl.suggestedFilename());
        assert.ok(!fs.existsSync(file), `two exports named ${dl.suggestedFilename()}`);
        await dl.saveAs(file);
        files.push(file);
      }
      return { csv: files[0], json: files[1], exp: JSON.parse(fs.readFileSync(files[1], 'utf8')) };
    }

    // Agent A (its own browser context, so its own storage): two calls a minute apart, then the exports.
    const a = await open('#/', { now: fresh });
    await identify(a.page, '12345678', '06 "11" 22');
    await toEnd(a.page);
    await a.page.locator('#lb-call-comment').fill('Ligne 1, avec virgule\nLigne 2 : «\u00a0é\u00a0» ; "cité"');
    await a.page.locator('#lb-call-end').click();
    await h.waitHeading(a.page, 'Accueil téléphonique');
    await a.context.clock.setFixedTime(new Date(fresh + 60000));
    await a.page.goto(h.fileUrl(accueil, '#/identification/introuvable'));
    await h.waitHeading(a.page, 'Client introuvable');
    await a.page.locator('#lb-call-end').click();
    await h.waitHeading(a.page, 'Accueil téléphonique');
    const fromA = await exportLog(a.page);
    await a.close();
    // Agent B, an hour later: one call, exported the same two ways.
    const b = await open('#/', { now: fresh + 3600000 });
    await identify(b.page, '87654321', '+33 6 01 02 03 04');
    await answer(b.page, 'Facture correcte').click();
    await h.waitHeading(b.page, 'Expliquer la facture');
    await b.page.locator('#lb-call-comment').fill('Client rassuré, façon « ça va »');
    await b.page.locator('#lb-call-end').click();
    await h.waitHeading(b.page, 'Accueil téléphonique');
    const fromB = await exportLog(b.page);
    await b.close();
    assert.equal(fromA.exp.records.length, 2);
    assert.equal(fromB.exp.records.length, 1);
    // every record of the browsers' JSON exports, in the merge's order: by `started`, then id
    const expected = [...fromA.exp.records, ...fromB.exp.records]
      .sort((x, y) => Date.parse(x.started) - Date.parse(y.started) || (x.id < y.id ? -1 : 1));
    assert.deepEqual(expected.map((r) => r.fields.numero_compte), ['12345678', undefined, '87654321']);

    const now = '2025-11-25T12:00:00Z';
    const merge = (...args) => {
      const r = spawnSync(BIN, ['calls', 'merge', ...args], { encoding: 'utf8', env: { ...process.env, LIFEBOAT_NOW: now, NO_COLOR: '1' } });
      assert.equal(r.status, 0, `lifeboat calls merge ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
      return r.stdout + r.stderr;
    };
    // The drop folder (as the continuity manager gives it): each call is in a CSV and a JSON export.
    const mergedCsv = path.join(tmp, 'appels-fusion.csv');
    assert.match(merge(drop, '--out', mergedCsv), /merged 3 records from 4 files \(3 duplicates dropped\)/);
    const bytes = fs.readFileSync(mergedCsv);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    const header = ['id', 'started', 'ended', 'entry', 'environment', 'snapshot', 'end', 'path', 'comment', 'numero_compte', 'telephone_rappel', 'motif'];
    assert.deepEqual(rows[0], header);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), expected.map((r) => r.id), 'one row per call, sorted by start');
    const cells = rows.slice(1).map((r) => Object.fromEntries(header.map((name, i) => [name, r[i]])));
    assert.deepEqual(cells[0], {
      id: expected[0].id,
      started: new Date(fresh).toISOString(),
      ended: new Date(fresh).toISOString(),
      entry: 'accueil',
      environment: 'bcp',
      snapshot: '2025-11-22',
      end: 'Geste commercial accordé',
      path: 'Identification du client › Identifier le client → Client identifié | ' +
        'Litige de facturation › Vérifier la facture → Erreur de facturation confirmée | ' +
        'Litige de facturation › Accorder un geste commercial → Geste accordé | Litige de facturation › Geste commercial accordé',
      comment: 'Ligne 1, avec virgule\nLigne 2 : «\u00a0é\u00a0» ; "cité"',
      numero_compte: '12345678',
      telephone_rappel: '06 "11" 22',
      motif: 'Facture',
    });
    assert.deepEqual({ ...cells[1], id: 0 }, {
      id: 0,
      started: new Date(fresh + 60000).toISOString(),
      ended: new Date(fresh + 60000).toISOString(),
      entry: 'accueil',
      environment: 'bcp',
      snapshot: '2025-11-22',
      end: 'Client introuvable',
      path: 'Identification du client › Client introuvable',
      comment: '',
      numero_compte: '',
      telephone_rappel: '',
      motif: '',
    });
    assert.deepEqual(
      [cells[2].numero_compte, cells[2].telephone_rappel, cells[2].motif, cells[2].end, cells[2].comment],
      ['87654321', '+33 6 01 02 03 04', 'Facture', 'Expliquer la facture', 'Client rassuré, façon « ça va »'],
    );
    // each row is the browser's own CSV row for that call, cell for cell
    const browserRows = [fromA.csv, fromB.csv].flatMap((f) => parseCsv(fs.readFileSync(f, 'utf8').slice(1)).slice(1));
    for (const row of rows.slice(1)) assert.deepEqual(row, browserRows.find((r) => r[0] === row[0]), `row ${row[0]}`);
    // a merged file merges again to the same bytes
    const again = path.join(tmp, 'appels-fusion-2.csv');
    merge(mergedCsv, '--out', again);
    assert.deepEqual(fs.readFileSync(again), bytes, 'a merged CSV merged again is unchanged');

    // The files named one by one, CSV first, into JSON (chosen by the name): the browsers' records exactly.
    const mergedJson = path.join(tmp, 'appels-fusion.json');
    assert.match(merge(fromB.csv, fromA.csv, fromA.json, fromB.json, '--out', mergedJson), /merged 3 records from 4 files \(3 duplicates dropped\)/);
    const out = JSON.parse(fs.readFileSync(mergedJson, 'utf8'));
    assert.equal(out.format, 'lifeboat-calls');
    assert.equal(out.version, 1);
    assert.equal(out.site, "Centre d'appels de test");
    assert.equal(out.site_id, site);
    assert.equal(out.exported, new Date(now).toISOString());
    assert.deepEqual(out.fields, fromA.exp.fields);
    assert.deepEqual(out.records, expected);
  });

  it('purges records older than keep_days when a file opens', async () => {
    const s = await open('#/');
    const { page } = s;
    const now = await page.evaluate(() => Date.now());
    const rec = (id, age, account) => ({
      id, started: new Date(now - age - 60000).toISOString(), ended: new Date(now - age).toISOString(), entry: 'accueil',
      entry_title: 'Accueil téléphonique', environment: 'bcp', snapshot: '2025-11-22', path: [], end: null,
      fields: { numero_compte: account }, comment: '',
    });
    await page.evaluate(([k, v]) => localStorage.setItem(k, JSON.stringify(v)), [`lifeboat:v1:${site}:log`, [
      rec('20250101T000000Z-000000000001', 8 * DAY, 'VIEUX-8J'),
      rec('20250101T000000Z-000000000002', 6 * DAY, 'RECENT-6J'),
    ]]);
    await page.goto(h.fileUrl(accueil, '#/~calls'));
    await page.reload();
    await h.waitHeading(page, 'Journal des appels');
    const text = await page.locator('#lb-view').textContent();
    assert.match(text, /1 appel de plus de 7 jours a été supprimé/);
    assert.match(text, /RECENT-6J/);
    assert.doesNotMatch(text, /VIEUX-8J/);
    assert.deepEqual((await log(page)).map((r) => r.fields.numero_compte), ['RECENT-6J']);
    await s.close();
  });

  it('says at once when the browser refuses to store, with Export now, and loses no record', async () => {
    const s = await open('#/', {
      init: () => {
        Storage.prototype.setItem = function () {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
      },
    });
    const { page } = s;
    const alert = page.locator('#lb-call-alert');
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.match(await alert.textContent(), /ne peut pas enregistrer les appels/);
    assert.ok(await alert.getByRole('button', { name: 'Exporter maintenant' }).isVisible());
    await identify(page, '99990000');
    await toEnd(page);
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await page.waitForFunction(() => /1 appel terminé n'est gardé que dans cette page/.test(document.getElementById('lb-call-alert').textContent));
    await page.locator('#lb-call-loglink').click();
    await h.waitHeading(page, 'Journal des appels');
    assert.match(await page.locator('.lb-call-record').textContent(), /99990000.*Non enregistré/s);
    const [dl] = await Promise.all([page.waitForEvent('download'), alert.getByRole('button', { name: 'Exporter maintenant' }).click()]);
    const exp = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
    assert.deepEqual(exp.records.map((r) => r.fields.numero_compte), ['99990000']);
    assert.equal(exp.records[0].unsaved, undefined, 'the export holds records only');
    await s.close();
  });

  it('says so when storage is turned off altogether, and the notes still work', async () => {
    const s = await open('#/identification/identifier', {
      init: () => {
        Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('denied', 'SecurityError'); } });
      },
    });
    const { page } = s;
    assert.match(await page.locator('#lb-call-alert').textContent(), /ne peut pas enregistrer les appels/);
    await inView(page, 'Numéro de compte').fill('12345678');
    await page.locator('#lb-call-toggle').click();
    assert.match(await page.locator('#lb-call-note').inputValue(), /Numéro de compte\u00a0: 12345678/);
    await s.close();
  });

  it("keeps a locked entry point's calls encrypted: no field value or procedure text in storage", async () => {
    const s = await open('#/', {}, coffre);
    const { page } = s;
    await page.getByLabel("Clé d'accès").fill(KEY);
    await page.getByLabel(/Rester déverrouillé/).check();
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
    await page.waitForSelector('#lb-call-toggle', { timeout: 30000 });
    await page.goto(h.fileUrl(coffre, '#/fraude/controle'));
    await h.waitHeading(page, 'Contrôler le titulaire');
    await inView(page, 'Numéro de compte').fill('31415926');
    await inView(page, 'Référence du dossier').fill('DOSSIER-SECRET-42');
    await answer(page, 'Titulaire confirmé').click();
    await h.waitHeading(page, 'Faire opposition');
    assert.match(await page.locator('#lb-view').textContent(), /compte 31415926, dossier DOSSIER-SECRET-42/);
    // the call in progress is stored, sealed
    const secrets = ['31415926', 'DOSSIER-SECRET', 'Contrôler le titulaire', 'Faire opposition', 'Suspicion de fraude', 'Titulaire confirmé', 'Référence du dossier', 'reference_dossier'];
    const storage = () => page.evaluate(() => {
      const all = {};
      for (const st of [localStorage, sessionStorage]) for (let i = 0; i < st.length; i++) all[st.key(i)] = st.getItem(st.key(i));
      return all;
    });
    await page.waitForFunction((k) => !!localStorage.getItem(k), `lifeboat:v1:${site}:call:coffre`);
    await page.locator('#lb-call-comment').fill('Opposition posée');
    await page.locator('#lb-call-end').click();
    await h.waitHeading(page, 'Coffre fraude');
    await page.waitForFunction((k) => !!localStorage.getItem(k), `lifeboat:v1:${site}:log:coffre`);
    const all = await storage();
    const text = JSON.stringify(all);
    for (const t of secrets) assert.ok(!text.includes(t), `"${t}" is readable in storage`);
    const env = JSON.parse(all[`lifeboat:v1:${site}:log:coffre`]);
    assert.deepEqual(Object.keys(env).sort(), ['ct', 'iv', 'newest', 'v']);
    assert.equal(all[`lifeboat:v1:${site}:log`], undefined, 'nothing in the open entry points\' log');
    // a reload in the same tab (remembered key) reads the sealed log back
    await page.reload();
    await page.waitForSelector('#lb-call-toggle', { timeout: 30000 });
    await page.goto(h.fileUrl(coffre, '#/~calls'));
    await h.waitHeading(page, 'Journal des appels');
    await page.waitForFunction(() => document.querySelectorAll('.lb-call-record').length === 1);
    assert.match(await page.locator('.lb-call-record').textContent(), /31415926/);
    assert.match(await page.locator('#lb-view').textContent(), /chiffré avec sa clé/);
    await s.close();
  });

  it("keeps a locked entry point's call in progress, sealed, until the key is given again", async () => {
    const s = await open('#/', {}, coffre);
    const { page } = s;
    // "Rester déverrouillé" (on by default) turned off: the reload asks for the key again.
    const unlock = async () => {
      await page.getByLabel("Clé d'accès").fill(KEY);
      await page.getByLabel('Rester déverrouillé dans cet onglet').uncheck();
      await page.getByRole('button', { name: 'Déverrouiller' }).click();
      await page.waitForSelector('#lb-call-toggle', { timeout: 30000 });
    };
    await unlock();
    await page.goto(h.fileUrl(coffre, '#/fraude/controle'));
    await h.waitHeading(page, 'Contrôler le titulaire');
    await inView(page, 'Référence du dossier').fill('REF-777');
    await page.waitForFunction((k) => !!localStorage.getItem(k), `lifeboat:v1:${site}:call:coffre`);
    await page.reload();
    await unlock();
    await h.waitHeading(page, 'Contrôler le titulaire');
    await page.waitForFunction(() => [...document.querySelectorAll('#lb-view [data-lb-field="reference_dossier"]')].some((i) => i.value === 'REF-777'));
    await s.close();
  });

  it('is off without `call` in the payload, and the notes work with the log turned off', async () => {
    // a file whose payload has no `call` (built before the assistant): no trace of it
    const html = fs.readFileSync(accueil, 'utf8');
    const m = /(<script id=lb-data type=application\/json>)([\s\S]*?)(<\/script>)/.exec(html);
    assert.ok(m, 'the #lb-data element');
    const data = h.unpack(m[2]);
    delete data.call;
    const without = path.join(tmp, 'sans-appel.html');
    const json = JSON.stringify(data).replace(/</g, '\\u003c');
    fs.writeFileSync(without, html.slice(0, m.index) + m[1] + json + m[3] + html.slice(m.index + m[0].length));
    const plain = await open('#/identification/identifier', {}, without);
    await h.waitHeading(plain.page, 'Identifier le client');
    assert.equal(await plain.page.locator('#lb-call-toggle, #lb-call-panel, #lb-call-alert, #lb-view input').count(), 0);
    assert.deepEqual(await plain.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lifeboat:v1:'))), []);
    await plain.close();

    const standard = path.join(NOLOG, 'standard.html');
    const s = await open('#/appel/compte', {}, standard);
    const { page } = s;
    assert.equal(await page.locator('#lb-call-loglink, #lb-call-end').count(), 0, 'no log, no End call');
    await inView(page, 'Numéro de compte').fill('44445555');
    await answer(page, 'Noté').click();
    await h.waitHeading(page, "Fin de l'appel");
    assert.equal(await shown(page, 'numero_compte').textContent(), '44445555');
    const note = await page.locator('#lb-call-note').inputValue();
    // the site's template, lines with nothing in them left out
    assert.match(note, /^NOTE HORS LIGNE .+\nCompte : 44445555\nPrise d'appel › Relever le compte → Noté\nPrise d'appel › Fin de l'appel\nFin : Fin de l'appel$/);
    // not copied yet: asked (no "save" choice without a log)
    await page.locator('#lb-call-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Terminer et enregistrer' }).count(), 0);
    assert.match(await dialog.textContent(), /n'a pas été copiée/);
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('#lb-call-copy').click();
    await page.waitForFunction(() => /copiée/.test(document.getElementById('lb-call-status').textContent));
    await page.locator('#lb-call-new').click();
    await h.waitHeading(page, 'Standard');
    assert.equal(await page.locator('dialog').count(), 0, 'a copied note needs no question');
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => /:log/.test(k)).length), 0);
    await page.goto(h.fileUrl(standard, '#/~calls'));
    await h.waitHeading(page, 'Journal des appels');
    assert.match(await page.locator('#lb-calls-off').textContent(), /désactivé/);
    await s.close();
  });

  it('has no axe violations on the fields, the notes, the dialog and the log (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const s = await open('#/', { bypassCSP: true, colorScheme });
      const { page } = s;
      await identify(page, '1234');
      await page.goto(h.fileUrl(accueil, '#/identification/identifier'));
      await h.waitHeading(page, 'Identifier le client');
      await h.checkAxe(page, `fields with a pattern message (${colorScheme})`);
      await page.goto(h.fileUrl(accueil, '#/facturation/expliquer'));
      await h.waitHeading(page, 'Expliquer la facture');
      await h.checkAxe(page, `end point with the notes open (${colorScheme})`);
      await page.locator('#lb-call-new').click();
      await page.getByRole('dialog').waitFor();
      await h.checkAxe(page, `new call dialog (${colorScheme})`);
      await page.getByRole('dialog').getByRole('button', { name: 'Terminer et enregistrer' }).click();
      await h.waitHeading(page, 'Accueil téléphonique');
      await page.goto(h.fileUrl(accueil, '#/~calls'));
      await h.waitHeading(page, 'Journal des appels');
      await h.checkAxe(page, `call log (${colorScheme})`);
      await page.locator('.lb-call-record a').click();
      await page.waitForSelector('#lb-record-note');
      await h.checkAxe(page, `a record's note (${colorScheme})`);
      await s.close();
    }
  });

  it('shows every page of the assistant under its own CSP, with no violation and no sideways scroll at 360 px', async () => {
    const s = await open('#/', {
      viewport: { width: 360, height: 740 },
      init: () => {
        window.lbViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.lbViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
      },
    });
    const { page } = s;
    await h.checkCsp(page);
    const check = async (what) => {
      assert.deepEqual(await page.evaluate(() => window.lbViolations), [], `CSP violations: ${what}`);
      await h.checkNoStyleAttributes(page);
      await h.checkNoHorizontalScroll(page);
    };
    await identify(page);
    await check('a later step');
    await toEnd(page);
    await check('end point with the notes');
    await page.locator('#lb-call-new').click();
    await page.getByRole('dialog').waitFor();
    await check('dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Terminer et enregistrer' }).click();
    await h.waitHeading(page, 'Accueil téléphonique');
    await page.goto(h.fileUrl(accueil, '#/~calls'));
    await h.waitHeading(page, 'Journal des appels');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#lb-calls-csv').click()]);
    assert.ok(await dl.path());
    await check('call log and a download');
    assert.ok(await page.evaluate(() => Array.isArray(window.lbViolations)), 'the violation listener is installed');
    await s.close(); // and no console error (a CSP violation is one)
  });

  it('takes a whole call with the keyboard only', async () => {
    const s = await open('#/');
    const { page } = s;
    /** Presses Tab until the focused element matches `selector` (fails after `max` presses). */
    async function tabTo(selector, max = 60) {
      for (let i = 0; i < max; i++) {
        if (await page.evaluate((sel) => document.activeElement && document.activeElement.matches(sel), selector)) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${selector}`);
    }
    await tabTo('#lb-start');
    await page.keyboard.press('Enter');
    await h.waitHeading(page, 'Identifier le client');
    await tabTo('#lb-view [data-lb-field="numero_compte"]');
    await page.keyboard.type('12345678');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0601020304');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-lb-field')), 'motif');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await tabTo('#lb-view a.lb-answer[data-index="1"]');
    await page.keyboard.press('Enter');
    await h.waitHeading(page, 'Vérifier la facture');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading');
    await page.keyboard.press('2');
    await h.waitHeading(page, 'Expliquer la facture');
    // the notes, open on the end point, closed and opened from the header: focus goes in and comes back
    assert.ok(await page.locator('#lb-call-panel').isVisible());
    await tabTo('#lb-call-toggle');
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('#lb-call-panel').isHidden());
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-call-title');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-call-toggle');
    assert.ok(await page.locator('#lb-call-panel').isHidden());
    await page.keyboard.press('Enter');
    await tabTo('#lb-call-comment');
    await page.keyboard.type('Tout au clavier');
    await tabTo('#lb-call-end');
    await page.keyboard.press('Enter');
    await h.waitHeading(page, 'Accueil téléphonique');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-heading');
    const [r] = await log(page);
    assert.deepEqual(r.fields, { numero_compte: '12345678', telephone_rappel: '0601020304', motif: 'Facture' });
    assert.equal(r.comment, 'Tout au clavier');
    assert.equal(r.end, 'Expliquer la facture');
    assert.deepEqual(r.path.map((p) => p.answer), ['Client identifié', 'Facture correcte', null]);
    await s.close();
  });
});
