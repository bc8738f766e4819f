'use strict';
// The desk trial (issue 24): an agent with a caller waiting, on tests/fixtures/desk-en (an English card
// desk with long steps, branding and a locked entry point; $LIFEBOAT_DESK_DIST) and on the example
// content ($LIFEBOAT_DIST) and the fixture site ($LIFEBOAT_FIXTURE_DIST). Ids and texts of desk-en are
// asserted here: change both together.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers');

const DESK = process.env.LIFEBOAT_DESK_DIST;
const DIST = process.env.LIFEBOAT_DIST;
const FIXTURE = process.env.LIFEBOAT_FIXTURE_DIST;
const DAY = 86400 * 1000;
/** "A step of up to ~120 words": its title, its text and the diagram's introduction on its start. */
const WORDS = 125;
const SIZES = [[1280, 800], [390, 700]];

function words(d, n) {
  const html = (n.id === d.start && d.intro_html ? d.intro_html + ' ' : '') + n.html;
  return (n.title + ' ' + html.replace(/<[^>]+>/g, ' ')).trim().split(/\s+/).length;
}

/** Where the heading and the answers are, without scrolling: each fully inside the window and not
 * covered by anything (the point at its centre is inside it). */
function placement(page) {
  return page.evaluate(() => {
    const vh = window.innerHeight;
    const inView = (el) => {
      const b = el.getBoundingClientRect();
      if (b.top < 0 || b.bottom > vh || b.height === 0) return false;
      const at = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      return !!at && el.contains(at);
    };
    const hd = document.getElementById('lb-heading');
    return {
      top: Math.round(hd.getBoundingClientRect().top),
      heading: inView(hd),
      answers: [...document.querySelectorAll('#lb-view .lb-answer')].map((a) => inView(a)),
      scrollY: window.scrollY,
    };
  });
}

describe('the agent\'s view on the desk trial', { skip: h.skipReason('LIFEBOAT_DESK_DIST') || h.skipReason('LIFEBOAT_DIST') || h.skipReason('LIFEBOAT_FIXTURE_DIST') }, () => {
  let browser;
  let cards;
  let fresh;

  before(async () => {
    cards = path.join(DESK, 'cards.html');
    fresh = h.readPayload(cards).snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function open(file, fragment = '#/', opts = {}) {
    const s = await h.openContext(browser, { now: fresh, ...opts });
    const page = await s.context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(h.fileUrl(file, fragment));
    await page.waitForSelector('#lb-heading');
    return { ...s, page };
  }

  /** Shows `fragment` as an agent gets there (a route change in the open page, the trail growing). */
  async function go(page, fragment, title) {
    await page.evaluate((f) => { location.hash = f; }, fragment);
    await h.waitHeading(page, title);
    // Images change the step's height once decoded: measure what the agent sees then.
    await page.waitForFunction(() => [...document.querySelectorAll('#lb-view img')].every((i) => i.complete));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }

  for (const [width, height] of SIZES) {
    it(`keeps the question and its answers in view at ${width}×${height}, with a compact frame`, async () => {
      const measured = [];
      for (const dist of [DESK, DIST]) {
        for (const e of h.entries(dist)) {
          if (e.payload.locked) continue;
          const s = await open(e.file, '#/', { viewport: { width, height } });
          const { page } = s;
          for (const d of e.payload.diagrams) {
            for (const n of d.nodes) {
              if (!n.answers.length || words(d, n) > WORDS) continue;
              await go(page, `#/${d.id}/${n.id}`, n.title);
              const p = await placement(page);
              const where = `${e.id}.html#/${d.id}/${n.id} (${words(d, n)} words, ${n.answers.length} answers) at ${width}×${height}`;
              assert.equal(p.scrollY, 0, `${where}: the view starts at the top`);
              assert.ok(p.heading, `${where}: the question is not in view`);
              assert.deepEqual(p.answers, n.answers.map(() => true), `${where}: answers not in view`);
              // The frame above the question (banner, header, tools, trail, diagram title) stays small.
              assert.ok(p.top <= 0.4 * height, `${where}: the question starts at ${p.top} px`);
              measured.push(p.top);
            }
          }
          await s.close();
        }
      }
      assert.ok(measured.length >= 40, `measured ${measured.length} steps`);
    });
  }

  it('says when the step goes on under docked answers, and when a critical step is still hidden', async () => {
    const s = await open(cards, '#/', { viewport: { width: 390, height: 700 } });
    const { page } = s;
    await go(page, '#/lost-card/block', 'Block the card');
    const dock = page.locator('.lb-answers.lb-dock');
    assert.equal(await dock.count(), 1, 'the answers are docked on a long step');
    const more = page.locator('.lb-dock-more');
    assert.match(await more.getAttribute('class'), /lb-dock-shown/);
    // The focused answers stay above nothing: the page keeps room for them when it scrolls to a focus.
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).scrollPaddingBottom), 'auto');
    await h.checkNoStyleAttributes(page);
    await go(page, '#/lost-card/identify', 'Identify the customer and the card');
    if (await page.locator('.lb-dock').count()) {
      const caution = await page.evaluate(() => {
        const c = document.querySelector('#lb-view .callout-caution').getBoundingClientRect();
        return c.bottom > document.querySelector('.lb-answers').getBoundingClientRect().top;
      });
      if (caution) assert.equal(await more.textContent(), '⚠ Critical step further down: read it before answering.');
    }
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction(() => !document.querySelector('.lb-dock-more.lb-dock-shown'));
    await s.close();
  });

  it('shows key hints that follow the number of answers', async () => {
    const s = await open(cards);
    const { page } = s;
    const hint = () => page.locator('.lb-answers-hint').textContent();
    await go(page, '#/lost-card/identify', 'Identify the customer and the card');
    assert.equal(await hint(), 'Pick an answer (keys 1 to 3):');
    await go(page, '#/lost-card/block', 'Block the card');
    assert.equal(await hint(), 'Pick an answer (key 1 or 2):');
    await go(page, '#/lost-card/not-confirmed', 'Identity not confirmed');
    assert.equal(await hint(), 'Press 1 to choose this answer:');
    await go(page, '#/declined/reason', 'Why was it declined?');
    assert.equal(await hint(), 'Pick an answer (keys 1 to 4):');
    await go(page, '#/lost-card/done', 'Call finished');
    assert.equal(await page.locator('.lb-answers-hint').count(), 0, 'no hint without answers');
    await s.close();
    const fr = await open(path.join(FIXTURE, 'guichet.html'), '#/internet/voyants');
    assert.equal(await fr.page.locator('.lb-answers-hint').textContent(), 'Choisissez une réponse (touches 1 à 3)\u00a0:');
    await go(fr.page, '#/facture/identifier', 'Identifier la facture');
    assert.equal(await fr.page.locator('.lb-answers-hint').textContent(), 'Appuyez sur 1 pour choisir cette réponse\u00a0:');
    await fr.close();
  });

  /** WCAG relative luminance contrast of two rgb() colours. */
  function contrast(a, b) {
    const lum = (c) => {
      const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  for (const scheme of ['light', 'dark']) {
    it(`rings the heading after each step in the theme's accent (≥ 3:1), ${scheme}, and prints no ring`, async () => {
      for (const [file, fragment, key, title] of [
        [cards, '#/lost-card/identify', '1', 'When and where was it lost?'],
        [path.join(FIXTURE, 'guichet.html'), '#/internet/voyants', '2', 'Vérifier les câbles'],
      ]) {
        const s = await open(file, fragment, { colorScheme: scheme });
        const { page } = s;
        await page.keyboard.press(key);
        await h.waitHeading(page, title);
        const ring = await page.evaluate(() => {
          const hd = document.activeElement;
          const cs = getComputedStyle(hd);
          // The accent as the page resolves it (site.toml's `accent`/`accent_dark`, else the theme's).
          const probe = document.createElement('span');
          probe.style.color = 'var(--accent)';
          document.body.appendChild(probe);
          const accent = getComputedStyle(probe).color;
          probe.remove();
          return { id: hd.id, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor, accent, bg: getComputedStyle(document.body).backgroundColor };
        });
        assert.equal(ring.id, 'lb-heading');
        assert.equal(ring.style, 'solid');
        assert.ok(ring.width >= 2, `outline ${ring.width}px`);
        assert.equal(ring.color, ring.accent, `the ring is the accent, not an error colour (${file})`);
        assert.ok(contrast(ring.color, ring.bg) >= 3, `ring ${ring.color} on ${ring.bg}: ${contrast(ring.color, ring.bg).toFixed(2)}:1`);
        await page.emulateMedia({ media: 'print' });
        const printed = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.equal(printed, 'none', 'no focus ring on paper');
        await s.close();
      }
    });
  }

  it('uses the site accent for the desk (branding), so the ring test above is the brand colour', async () => {
    const s = await open(cards, '#/lost-card/identify');
    const accent = await s.page.evaluate(() => getComputedStyle(document.querySelector('.lb-answer')).color);
    assert.equal(accent, 'rgb(10, 92, 54)');
    await s.close();
  });

  it('offers Restart call (the entry point\'s start, trail dropped, the call kept) and Diagram start (trail kept)', async () => {
    const s = await open(cards, '#/declined/reason');
    const { page } = s;
    const trail = () => page.locator('.lb-trail li').allTextContents();
    const inView = (name) => page.locator('#lb-view').getByRole('link', { name, exact: true });
    await inView('Refused everywhere').click();
    await h.waitHeading(page, 'Refused everywhere');
    await inView('Go to the lost card procedure').click();
    await h.waitHeading(page, 'Block the card');
    const controls = page.locator('.lb-controls');
    assert.deepEqual(await controls.getByRole('link').allTextContents(),
      ['Home', 'Restart call', 'Diagram start', 'Whole diagram', 'Map']);
    assert.equal(await controls.getByRole('link', { name: 'Restart call' }).getAttribute('href'), '#/lost-card/identify');
    await controls.getByRole('link', { name: 'Diagram start' }).click();
    await h.waitHeading(page, 'Identify the customer and the card');
    assert.deepEqual(await trail(), ['Card declined › Why was it declined?', 'Card declined › Refused everywhere',
      'Block the card', 'Identify the customer and the card'], 'Diagram start keeps the trail');
    await page.locator('#lb-view input[data-lb-field="card_last4"]').fill('1234');
    await inView('Identity confirmed, card still missing').click();
    await h.waitHeading(page, 'When and where was it lost?');
    await page.locator('.lb-controls').getByRole('link', { name: 'Restart call' }).click();
    await h.waitHeading(page, 'Identify the customer and the card');
    assert.equal(await page.locator('.lb-trail').count(), 0, 'Restart call drops the trail');
    // The call goes on: its fields are kept and its path says where it restarted.
    assert.equal(await page.locator('#lb-view input[data-lb-field="card_last4"]').inputValue(), '1234');
    await page.locator('#lb-call-toggle').click();
    const note = await page.locator('#lb-call-note').inputValue();
    assert.match(note, /Last four digits: 1234/);
    assert.match(note, /Lost or stolen card › When and where was it lost\? → Restart call\nLost or stolen card › Identify the customer and the card$/m);
    // An end point offers both too, after the assistant's New call (the next caller), which asks first.
    await page.locator('#lb-call-close').click();
    await go(page, '#/lost-card/done', 'Call finished');
    assert.deepEqual(await page.locator('.lb-end-actions').getByRole('link').allTextContents(), ['Restart call', 'Diagram start', 'Home']);
    await page.locator('.lb-end-actions').getByRole('button', { name: 'New call' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await h.waitHeading(page, 'Call finished');
    assert.equal(await page.getByRole('dialog').count(), 0, 'cancelled: the call and the step stay');
    // The assistant's New call (after asking) starts a new trail as well.
    await go(page, '#/lost-card/block', 'Block the card');
    assert.ok((await trail()).length >= 2);
    if (await page.locator('#lb-call-toggle').getAttribute('aria-expanded') !== 'true') await page.locator('#lb-call-toggle').click();
    await page.locator('#lb-call-new').click();
    await page.getByRole('button', { name: 'Clear and start a new call' }).click();
    await h.waitHeading(page, 'Card services');
    await go(page, '#/lost-card/identify', 'Identify the customer and the card');
    await go(page, '#/lost-card/when-lost', 'When and where was it lost?');
    assert.deepEqual(await trail(), ['Identify the customer and the card', 'When and where was it lost?']);
    await s.close();
  });

  it('builds the search index after the first view, a slice per task, so the first keystroke finds at once', async () => {
    for (const file of [cards, path.join(DIST, 'depannage.html')]) {
      const s = await open(file, '#/');
      // Nothing typed or focused: the index is built on its own once the first view is shown (the
      // page's clock is fixed, which hides performance marks: a plain wait).
      await s.page.waitForTimeout(1000);
      const found = await s.page.evaluate(() => {
        const input = document.getElementById('lb-search');
        input.value = 'a';
        const t0 = performance.now();
        input.dispatchEvent(new Event('input', { bubbles: true }));
        // Counted in the same task: results now, not after an unpack or an index build.
        return { n: document.querySelectorAll('#lb-results-list li').length, ms: performance.now() - t0 };
      });
      assert.ok(found.n > 0, `${path.basename(file)}: the first keystroke shows results at once`);
      await s.close();
    }
  });

  it('says the same stale sentence in the launcher as in the entry file', async () => {
    const s = await open(cards, '#/', { now: fresh + 60 * DAY });
    const body = await s.page.locator('.lb-stale-body').textContent();
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(path.join(DESK, 'index.html')));
    await page.waitForFunction(() => document.getElementById('lb-stale').textContent !== '');
    const launcher = await page.locator('#lb-stale').textContent();
    assert.ok(launcher.startsWith(body), `launcher: ${launcher}\nentry file: ${body}`);
    await s.close();
  });

  it('keeps a stale-copy alert to one line at 390×844 (it expands), with the step in view', async () => {
    const s = await open(cards, '#/lost-card/identify', { now: fresh + 60 * DAY, viewport: { width: 390, height: 844 } });
    const { page } = s;
    const alert = page.locator('#lb-stale [role="alert"]');
    assert.match(await alert.textContent(), /This copy may be out of date\./);
    const more = page.locator('#lb-stale-more');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    assert.ok((await alert.boundingBox()).height <= 80, 'one line (and the Details button)');
    assert.ok(await page.locator('.lb-stale-body').isHidden());
    const p = await placement(page);
    assert.ok(p.heading, 'the step title is in the first screen');
    assert.deepEqual(p.answers, p.answers.map(() => true), 'and its answers');
    await more.click();
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    // The one stale sentence (manifest::Age, shared with the launcher, verify and build): 62 whole days.
    const days = h.readPayload(cards).backup.frequency_days;
    assert.equal(await page.locator('.lb-stale-body').textContent(),
      `This copy is from 22 November 2025, 62 days ago; it is renewed every ${days} days, so it is ${62 - days} day(s) out of date.`);
    assert.ok(await page.locator('.lb-stale-locations').isVisible());
    // Wide screens show it whole, without the button.
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.ok(await more.isHidden());
    await s.close();
  });

  it('keeps the banner to one line at 390 px: title and date, Details for the rest', async () => {
    const s = await open(cards, '#/lost-card/identify', { viewport: { width: 390, height: 700 } });
    const { page } = s;
    const banner = page.locator('#lb-banner');
    assert.match(await banner.locator('.lb-banner-title').innerText(), /Offline backup copy — read only · 2025-11-22/);
    assert.ok(await page.locator('#lb-banner-meta').isHidden());
    await page.locator('#lb-banner-more').click();
    assert.ok(await page.locator('#lb-banner-meta .lb-online').isVisible());
    // The header's tools are in the menu.
    assert.ok(await page.locator('#lb-call-toggle').isHidden());
    await page.locator('#lb-menu').click();
    assert.equal(await page.locator('#lb-menu').getAttribute('aria-expanded'), 'true');
    assert.ok(await page.locator('#lb-call-toggle').isVisible());
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-call-toggle', 'focus goes to the first tool');
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#lb-call-toggle').isHidden());
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lb-menu');
    await s.close();
  });

  it('shows the site name once on the home page', async () => {
    for (const [file, site] of [[cards, 'Northwind Bank Card Services Desk'], [path.join(FIXTURE, 'guichet.html'), 'Centre de test Lifeboat']]) {
      const s = await open(file, '#/');
      const text = await s.page.evaluate(() => document.body.innerText);
      assert.equal(text.split(site).length - 1, 1, `${path.basename(file)}: the site name once`);
      await s.close();
    }
  });
});

describe('the desk trial\'s documents and locked entry point', { skip: h.skipReason('LIFEBOAT_DESK_DIST') || h.skipReason('LIFEBOAT_DIST') || h.skipReason('LIFEBOAT_FIXTURE_DIST') || (!process.env.LIFEBOAT_LOCKED_KEY && 'LIFEBOAT_LOCKED_KEY is not set') }, () => {
  const KEY = process.env.LIFEBOAT_LOCKED_KEY;
  let browser;
  let fresh;

  before(async () => {
    fresh = h.readPayload(path.join(DESK, 'cards.html')).snapshot.epoch * 1000 + 2 * DAY;
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('fits contingency.html in 390 px: long paths wrap, tables scroll in their own named box', async () => {
    const s = await h.openContext(browser, { now: fresh, viewport: { width: 390, height: 844 } });
    const page = await s.context.newPage();
    for (const dist of [DESK, DIST, FIXTURE]) {
      await page.goto(h.fileUrl(path.join(dist, 'contingency.html')));
      await h.checkNoHorizontalScroll(page);
      const found = await page.evaluate(() => ({
        tables: [...document.querySelectorAll('table')].map((t) => {
          const box = t.parentElement;
          return box.classList.contains('table-scroll') && box.tabIndex === 0 && box.getAttribute('role') === 'region' &&
            !!document.getElementById(box.getAttribute('aria-labelledby'));
        }),
        // Every path and command is read whole on the page: nothing sticks out to the right.
        cut: [...document.querySelectorAll('code, pre, dd, li, p')]
          .filter((e) => !e.closest('.table-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .map((e) => e.textContent.slice(0, 60)),
      }));
      assert.ok(found.tables.length > 0);
      assert.deepEqual(found.tables, found.tables.map(() => true), `${dist}: each table in a focusable, named scroll box`);
      assert.deepEqual(found.cut, [], `${dist}: text wider than the page`);
    }
    await page.goto(h.fileUrl(path.join(DESK, 'contingency.html')));
    assert.match(await page.locator('main').textContent(), /Northwind-Bank-Card-Services-Offline-Bundle/);
    await s.close();
  });

  it('brands index.html like the entry files (logo, accent) and marks the locked entry point', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(path.join(DESK, 'index.html')));
    const logo = await page.evaluate(() => {
      const e = document.querySelector('h1 .lb-brand-logo');
      const cs = e && getComputedStyle(e);
      return cs && { display: cs.display, image: cs.backgroundImage.slice(0, 40), width: e.getBoundingClientRect().width };
    });
    assert.ok(logo, 'a logo slot in the heading');
    assert.equal(logo.display, 'block');
    assert.match(logo.image, /^url\("data:image\/svg\+xml;base64,/);
    assert.ok(logo.width > 20);
    assert.equal(await page.locator('.entries .title').first().evaluate((e) => getComputedStyle(e).color), 'rgb(10, 92, 54)', 'the site accent');
    const items = await page.locator('.entries li').evaluateAll((lis) => lis.map((li) => ({
      file: li.querySelector('.file').textContent,
      locked: li.querySelector('.locked') ? li.querySelector('.locked').textContent : null,
      padlock: !!li.querySelector('.locked .lock[aria-hidden="true"]'),
    })));
    assert.deepEqual(items, [
      { file: 'cards.html', locked: null, padlock: false },
      { file: 'fraud.html', locked: 'Protected: access key needed', padlock: true },
    ]);
    // The launcher of a site without branding shows no logo.
    await page.goto(h.fileUrl(path.join(FIXTURE, 'index.html')));
    assert.equal(await page.locator('h1 .lb-brand-logo').evaluate((e) => getComputedStyle(e).display), 'none');
    await s.close(); // no console error: the logo is allowed by the launcher's CSP (img-src data:)
  });

  it('puts only public facts in the locked file: its title and who holds the key', async () => {
    const pub = h.readPayload(path.join(DESK, 'fraud.html'));
    assert.equal(pub.locked, true);
    assert.deepEqual(pub.entry, {
      id: 'fraud', title: 'Fraud checks',
      key_holders: ['Continuity manager (ext. 4410)', 'Floor supervisor (ext. 4402)'],
    });
  });

  it('asks for the key once per tab: a cross-link into the locked file and Back, both ways', async () => {
    const s = await h.openContext(browser, { now: fresh });
    const page = await s.context.newPage();
    page.setDefaultTimeout(10000);
    await page.goto(h.fileUrl(path.join(DESK, 'cards.html'), '#/lost-card/when-lost'));
    await h.waitHeading(page, 'When and where was it lost?');
    const into = page.locator('#lb-view').getByRole('link', { name: 'Unknown payments seen Protected' });
    assert.equal(await into.getAttribute('href'), 'fraud.html#/~at/0/0', 'a link into the locked file says it is protected');
    await into.click();
    await h.waitHeading(page, 'Fraud checks');
    // The prompt: the entry's title, who holds the key, and how long it stays open.
    assert.equal(await page.locator('#lb-view .lb-kicker').textContent(), 'Protected file');
    assert.equal(await page.locator('#lb-key-holders').textContent(), 'Who holds the key: Continuity manager (ext. 4410), Floor supervisor (ext. 4402).');
    assert.equal(await page.locator('#lb-remember').isChecked(), true, 'stays unlocked by default');
    assert.equal(await page.getByLabel('Stay unlocked in this tab').getAttribute('aria-describedby'), 'lb-remember-how');
    assert.match(await page.locator('#lb-remember-how').textContent(), /^Until the tab is closed, also when you come back from another file of this copy or with Back\. The key itself is never stored\.$/);
    await page.locator('#lb-key').fill(KEY);
    await page.locator('#lb-unlock-submit').click();
    await h.waitHeading(page, 'Verify the unknown payments');
    await page.locator('#lb-view').getByRole('link', { name: 'Block the card', exact: true }).click();
    await h.waitHeading(page, 'Block the card');
    await page.goBack();
    await h.waitHeading(page, 'Verify the unknown payments');
    assert.equal(await page.locator('#lb-key').count(), 0, 'Back into the locked file: no key asked');
    await page.goBack();
    await h.waitHeading(page, 'When and where was it lost?');
    await page.goForward();
    await h.waitHeading(page, 'Verify the unknown payments');
    // Kept for the tab: what is stored holds no access key, in any spelling; nothing in localStorage.
    const stored = await page.evaluate(() => {
      const all = (st) => Object.keys(st).map((k) => k + '=' + st.getItem(k)).join('\n');
      return { session: all(sessionStorage), local: all(localStorage) };
    });
    const canonical = KEY.replace(/[\s-]/g, '').toUpperCase();
    for (const text of [stored.session, stored.local]) {
      assert.ok(!text.toUpperCase().replace(/[\s-]/g, '').includes(canonical.slice(0, 26)), 'no access key stored');
    }
    assert.match(stored.session, /^lifeboat:unlock:fraud=/m);
    // Its home page says it is a protected file.
    await page.evaluate(() => { location.hash = '#/'; });
    await h.waitHeading(page, 'Fraud checks');
    assert.equal(await page.locator('#lb-view .lb-locked-mark').textContent(), 'Protected file');
    assert.equal(await page.locator('#lb-view .lb-locked-mark .lb-lock[aria-hidden="true"]').count(), 1);
    assert.doesNotMatch(stored.local, /lifeboat:unlock/);
    // Another tab is another session: it asks again.
    const other = await s.context.newPage();
    await other.goto(h.fileUrl(path.join(DESK, 'fraud.html'), '#/'));
    await other.waitForSelector('#lb-key');
    await s.close();
  });
});
