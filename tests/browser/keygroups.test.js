'use strict';
// Key groups and the recovery key (tests/fixtures/key-groups), in Chromium: `factures` opens with the keys
// of groups facturation and direction, `fraude` with fraude and direction, both with the recovery key.
// Built by tests/browser.rs into $LIFEBOAT_KEYGROUPS_DIST, and again with a new facturation key (the
// rotation) into $LIFEBOAT_KEYGROUPS_ROTATED_DIST; the keys come in $LIFEBOAT_KEYGROUPS_KEYS (JSON:
// facturation, fraude, direction, recovery, facturation_new). Firefox and WebKit run the same checks
// (firefox.test.js, webkit.test.js); keyslots.test.js checks the format with Node's own crypto.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_KEYGROUPS_DIST;
const ROTATED = process.env.LIFEBOAT_KEYGROUPS_ROTATED_DIST;
const KEYS = JSON.parse(process.env.LIFEBOAT_KEYGROUPS_KEYS || '{}');

/** Which keys open which file: every other key is refused. */
const OPENS = {
  factures: ['facturation', 'direction', 'recovery'],
  fraude: ['fraude', 'direction', 'recovery'],
};
/** Each file's sealed diagram title, shown on its home page once open. */
const DIAGRAMS = { factures: 'Facture contestée', fraude: 'Appel suspect' };
const WRONG = {
  factures: /il s'ouvre avec la clé du groupe Facturation ou Direction/,
  fraude: /il s'ouvre avec la clé du groupe Fraude ou Direction/,
};

describe('key groups', { skip: h.skipReason('LIFEBOAT_KEYGROUPS_DIST') }, () => {
  let browser;

  before(async () => {
    for (const k of ['facturation', 'fraude', 'direction', 'recovery', 'facturation_new']) {
      assert.ok(KEYS[k], `LIFEBOAT_KEYGROUPS_KEYS has ${k}`);
    }
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function open(file, fragment = '') {
    const s = await h.openContext(browser);
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(file, fragment));
    await page.locator('#lb-key').waitFor();
    return { ...s, page };
  }

  async function unlock(page, key) {
    await page.getByLabel('Clé d\'accès').fill(key);
    await page.getByRole('button', { name: 'Déverrouiller' }).click();
  }

  /** Resolves to 'open' (the start node is shown) or the refusal's text. */
  async function outcome(page) {
    await page.waitForFunction(() => document.getElementById('lb-start')
      || (document.getElementById('lb-unlock-error') || {}).textContent, null, { timeout: 20000 });
    if (await page.locator('#lb-start').count()) return 'open';
    return page.locator('#lb-unlock-error').textContent();
  }

  it('the prompt names the groups whose keys open the file, and their holders', async () => {
    for (const [entry, groups, holders] of [
      ['factures', 'Clé du groupe Facturation ou Direction', 'Responsable facturation, Directrice du centre'],
      ['fraude', 'Clé du groupe Fraude ou Direction', 'Responsable fraude, Directrice du centre'],
    ]) {
      const s = await open(path.join(DIST, `${entry}.html`));
      const { page } = s;
      await h.checkCsp(page);
      assert.equal(await page.locator('#lb-key-groups').textContent(), groups);
      assert.equal(await page.locator('#lb-key-holders').textContent(), `Qui détient la clé\u00a0: ${holders}.`);
      assert.match(await page.locator('#lb-key').getAttribute('aria-describedby'), /lb-key-groups/);
      await s.close();
    }
  });

  for (const entry of Object.keys(OPENS)) {
    for (const name of ['facturation', 'fraude', 'direction', 'recovery']) {
      const opens = OPENS[entry].includes(name);
      it(`${entry}.html ${opens ? 'opens' : 'refuses'} with the ${name} key`, async () => {
        const s = await open(path.join(DIST, `${entry}.html`));
        const { page } = s;
        await unlock(page, KEYS[name]);
        const result = await outcome(page);
        if (opens) {
          assert.equal(result, 'open');
          assert.match(await page.locator('#lb-view').textContent(), new RegExp(DIAGRAMS[entry]));
        } else {
          assert.match(result, WRONG[entry]);
          assert.match(await page.locator('#lb-unlock-status').textContent(), /Nouvel essai possible/);
          const body = await page.locator('body').textContent();
          assert.ok(!body.includes(DIAGRAMS[entry]), 'nothing shown after a wrong group\'s key');
        }
        await s.close();
      });
    }
  }

  it('the prompt with its groups, and its error state, pass axe (WCAG 2.2 AA)', async () => {
    // axe is injected, so this context alone bypasses the CSP.
    const s = await h.openContext(browser, { bypassCSP: true });
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(path.join(DIST, 'factures.html')));
    await page.locator('#lb-key').waitFor();
    await h.checkAxe(page, 'key prompt with groups');
    await unlock(page, KEYS.fraude);
    assert.match(await outcome(page), WRONG.factures);
    await h.checkAxe(page, 'key prompt refusing a wrong group\'s key');
    await s.close();
  });

  it('a flipped byte of the payload is damage, not a wrong key, for a key whose slot opens', async () => {
    const html = fs.readFileSync(path.join(DIST, 'factures.html'), 'utf8');
    const m = /(id="?lb-locked"?[^>]*>)([A-Za-z0-9+/=]+)</.exec(html);
    assert.ok(m, 'sealed element');
    const at = m.index + m[1].length + Math.floor(m[2].length / 2);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-keygroups-'));
    try {
      const file = path.join(tmp, 'factures.html');
      fs.writeFileSync(file, html.slice(0, at) + (html[at] === 'A' ? 'B' : 'A') + html.slice(at + 1));
      const s = await open(file);
      await unlock(s.page, KEYS.direction);
      assert.match(await outcome(s.page), /endommagé/);
      await s.close();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a mistyped key is caught by its check symbol, before any decryption', async () => {
    const s = await open(path.join(DIST, 'factures.html'));
    const { page } = s;
    const k = KEYS.facturation;
    await unlock(page, k.slice(0, 2) + (k.charAt(2) === 'A' ? 'B' : 'A') + k.slice(3));
    assert.match(await outcome(page), /Faute de frappe/);
    await s.close();
  });

  it('"stay unlocked" is per entry point: a reload opens factures directly, fraude still asks', async () => {
    const s = await open(path.join(DIST, 'factures.html'), '#/litige/avoir');
    const { page } = s;
    await unlock(page, KEYS.direction);
    await h.waitHeading(page, 'Émettre un avoir', 20000);
    const stored = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('lifeboat:unlock:')));
    assert.deepEqual(stored, ['lifeboat:unlock:factures']);
    const value = await page.evaluate(() => sessionStorage.getItem('lifeboat:unlock:factures'));
    const canonical = KEYS.direction.replace(/-/g, '').slice(0, 26);
    assert.ok(!value.includes(canonical), 'the access key itself is not stored');
    await page.reload();
    await h.waitHeading(page, 'Émettre un avoir', 20000);
    assert.equal(await page.locator('#lb-key').count(), 0, 'opened directly');
    await page.goto(h.fileUrl(path.join(DIST, 'fraude.html')));
    await page.locator('#lb-key').waitFor();
    // The rotated build's factures.html has another salt: the remembered key is not used for it.
    await page.goto(h.fileUrl(path.join(ROTATED, 'factures.html')));
    await page.locator('#lb-key').waitFor({ timeout: 20000 });
    await s.close();
  });

  it('rotation of facturation: the old key is refused, the new one and the other groups\' keys open', { skip: !ROTATED && 'LIFEBOAT_KEYGROUPS_ROTATED_DIST is not set' }, async () => {
    for (const [entry, name, opens] of [
      ['factures', 'facturation', false],
      ['factures', 'facturation_new', true],
      ['factures', 'direction', true],
      ['fraude', 'fraude', true],
      ['fraude', 'facturation_new', false],
    ]) {
      const s = await open(path.join(ROTATED, `${entry}.html`));
      const { page } = s;
      await unlock(page, KEYS[name]);
      const result = await outcome(page);
      if (opens) assert.equal(result, 'open', `${entry} with ${name}`);
      else assert.match(result, WRONG[entry], `${entry} with ${name}`);
      await s.close();
    }
  });
});
