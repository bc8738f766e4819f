'use strict';
// The viewer on the example content (content/), built by tests/browser.rs into $LIFEBOAT_DIST.
// Nothing here names the example's texts: entries, diagrams and nodes are read from each file's payload.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const DIST = process.env.LIFEBOAT_DIST;
const DAY = 86400 * 1000;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

describe('viewer on the example content', { skip: h.skipReason('LIFEBOAT_DIST') }, () => {
  let browser;
  let list;

  before(async () => {
    list = h.entries(DIST);
    assert.ok(list.length > 0, `no entry files in ${DIST}`);
    browser = await h.launch();
  });

  after(async () => {
    if (browser) await browser.close();
  });

  function freshTime(payload) {
    return payload.snapshot.epoch * 1000 + DAY;
  }

  async function open(entry, fragment = '', opts = {}) {
    const s = await h.openContext(browser, { now: freshTime(entry.payload), ...opts });
    const page = await s.context.newPage();
    await page.goto(h.fileUrl(entry.file, fragment));
    return { ...s, page };
  }

  /** Shows a route in an open page the way a link would (hashchange). */
  async function show(page, fragment) {
    await page.evaluate((f) => {
      location.hash = f;
    }, fragment);
  }

  function findNode(payload, d, n) {
    const diagram = payload.diagrams.find((x) => x.id === d);
    return diagram && diagram.nodes.find((x) => x.id === n);
  }

  it('opens the home page of every entry file, with its CSP', async () => {
    for (const entry of list) {
      const s = await open(entry);
      const { page } = s;
      await h.waitHeading(page, entry.payload.entry.title);
      await h.checkCsp(page);
      assert.equal(await page.evaluate(() => document.documentElement.lang), entry.payload.lang);
      assert.equal(await page.locator('.lb-diagram-link').count(), entry.payload.diagrams.length);
      assert.equal(await page.locator('input[type="search"]#lb-search').count(), 1);
      assert.ok(await page.locator('label[for="lb-search"]').isVisible());
      assert.match(await page.locator('#lb-banner').textContent(), new RegExp(entry.payload.snapshot.date));
      assert.equal(await page.locator('[role="alert"]:visible').count(), 0);
      await h.checkNoStyleAttributes(page);
      // Each diagram says who reviewed it and when (front matter `owner`, `reviewed`), in the page's language.
      const reviews = await page.locator('.lb-diagram .lb-review').allTextContents();
      const reviewed = entry.payload.diagrams.filter((d) => d.reviewed || d.owner);
      assert.ok(reviewed.length > 0, "the example names its reviews");
      assert.equal(reviews.length, reviewed.length);
      for (const [i, d] of reviewed.entries()) {
        if (d.owner) assert.ok(reviews[i].includes(d.owner), `${reviews[i]} names ${d.owner}`);
        if (d.reviewed) assert.ok(reviews[i].includes(String(Number(d.reviewed.slice(0, 4)))), `${reviews[i]} has the year`);
        assert.doesNotMatch(reviews[i], /\{|undefined/);
      }
      await s.close();
    }
  });

  it('shows every node at 360px: heading, answers named by their label, images loaded', async () => {
    for (const entry of list) {
      const s = await open(entry, '', { viewport: { width: 360, height: 740 } });
      const { page } = s;
      await h.waitHeading(page, entry.payload.entry.title);
      await h.checkNoHorizontalScroll(page);
      for (const d of entry.payload.diagrams) {
        for (const [k, n] of d.nodes.entries()) {
          await show(page, `#/${d.id}/${n.id}`);
          // one round trip per node: wait for the heading and the images, then read the view
          const got = await page
            .waitForFunction(
              (title) => {
                const h1 = document.getElementById('lb-heading');
                const imgs = [...document.querySelectorAll('#lb-view img[data-lb-img]')];
                if (!h1 || h1.textContent.trim() !== title || !imgs.every((i) => i.complete)) return false;
                const answers = [...document.querySelectorAll('#lb-view a.lb-answer')];
                return {
                  labels: answers.map((a) => a.querySelector('.lb-answer-label').textContent),
                  hrefs: answers.map((a) => a.getAttribute('href')),
                  end: document.querySelectorAll('#lb-end').length,
                  images: imgs.map((i) => ({ id: i.getAttribute('data-lb-img'), src: i.getAttribute('src') || '', width: i.naturalWidth })),
                  sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
                  styled: document.querySelectorAll('[style]').length,
                };
              },
              n.title,
              { timeout: 5000 },
            )
            .then((handle) => handle.jsonValue())
            .catch(() => null);
          const where = `${entry.id}.html#/${d.id}/${n.id}`;
          if (!got) await h.waitHeading(page, n.title); // fails naming the heading actually shown
          assert.ok(got, `images of ${where} did not finish loading`);
          assert.deepEqual(got.labels, n.answers.map((a) => a.label), `answers of ${where}`);
          assert.deepEqual(got.hrefs, n.answers.map((a) => `${a.entry ? `${a.entry}.html` : ''}#/${a.diagram}/${a.node}`), `answer links of ${where}`);
          assert.equal(got.end, n.answers.length ? 0 : 1, `end point ${where}`);
          for (const img of got.images) {
            assert.match(img.src, /^blob:/, `image ${img.id} of ${where} has a blob: src`);
            assert.ok(img.width > 0, `image ${img.id} of ${where} loaded`);
          }
          assert.ok(!got.sideways, `${where} scrolls sideways at 360px`);
          assert.equal(got.styled, 0, `style attributes in ${where}`);
          if (k === 0) {
            // accessible names, computed by the browser: each answer is a link named exactly by its label
            for (const a of n.answers.slice(0, 9)) {
              assert.ok(
                (await page.locator('#lb-view').getByRole('link', { name: a.label, exact: true }).count()) >= 1,
                `answer "${a.label}" of ${where} is a link named exactly by its label`,
              );
            }
          }
        }
      }
      await s.close();
    }
  });

  it('shows the whole-diagram view of every diagram', async () => {
    for (const entry of list) {
      const s = await open(entry);
      const { page } = s;
      for (const [di, d] of entry.payload.diagrams.entries()) {
        await show(page, `#/~all/${d.id}`);
        await h.waitHeading(page, d.title);
        assert.equal(await page.locator('.lb-all-node').count(), d.nodes.length, `nodes of ${d.id}`);
        const titles = await page.locator('.lb-all-title').allTextContents();
        // Numbered like the printed copy: §diagram.node.
        assert.deepEqual(titles, d.nodes.map((n, i) => `§${di + 1}.${i + 1} ${n.title}`));
        await h.checkImagesLoaded(page);
      }
      await s.close();
    }
  });

  it('walks from the entry start by clicking answers, then goes back', async () => {
    for (const entry of list) {
      const start = entry.payload.entry.start;
      const s = await open(entry, `#/${start.diagram}/${start.node}`);
      const { page } = s;
      let node = findNode(entry.payload, start.diagram, start.node);
      assert.ok(node, 'entry start exists');
      await h.waitHeading(page, node.title);
      const seen = new Set([`${start.diagram}/${start.node}`]);
      const path = [node.title];
      for (let step = 0; step < 12; step++) {
        const i = node.answers.findIndex((a) => !a.entry && !seen.has(`${a.diagram}/${a.node}`));
        if (i < 0) break;
        const a = node.answers[i];
        await page.locator('#lb-view a.lb-answer').nth(i).click();
        node = findNode(entry.payload, a.diagram, a.node);
        await h.waitHeading(page, node.title);
        assert.equal(await h.hash(page), `#/${a.diagram}/${a.node}`);
        seen.add(`${a.diagram}/${a.node}`);
        path.push(node.title);
      }
      if (path.length > 1) {
        const trail = await page.locator('.lb-trail li').allTextContents();
        assert.equal(trail.length, path.length);
        await page.goBack();
        await h.waitHeading(page, path[path.length - 2]);
        await page.goForward();
        await h.waitHeading(page, path[path.length - 1]);
      }
      await s.close();
    }
  });

  it('presses 1 to follow the first answer', async () => {
    const entry = list.find((e) => e.payload.diagrams.some((d) => d.nodes.some((n) => n.answers.length && !n.answers[0].entry)));
    if (!entry) return;
    const d = entry.payload.diagrams.find((x) => x.nodes.some((n) => n.answers.length && !n.answers[0].entry));
    const n = d.nodes.find((x) => x.answers.length && !x.answers[0].entry);
    const s = await open(entry, `#/${d.id}/${n.id}`);
    const { page } = s;
    await h.waitHeading(page, n.title);
    await page.keyboard.press('1');
    const a = n.answers[0];
    await h.waitHeading(page, findNode(entry.payload, a.diagram, a.node).title);
    await s.close();
  });

  it('finds nodes by search, with and without accents, and opens a result', async () => {
    for (const entry of list) {
      const s = await open(entry);
      const { page } = s;
      await h.waitHeading(page, entry.payload.entry.title);
      const search = page.locator('#lb-search');
      const nodes = entry.payload.diagrams.flatMap((d) => d.nodes.map((n) => ({ d, n }))).slice(0, 6);
      for (const { d, n } of nodes) {
        const label = `${d.title} › ${n.title}`;
        for (const q of [n.title, fold(n.title), n.title.toUpperCase()]) {
          await search.fill(q);
          await page.waitForFunction(() => document.getElementById('lb-search-status').textContent !== '');
          const results = await page.locator('#lb-results a').allTextContents();
          assert.ok(results.includes(label), `"${q}" finds ${label}; got ${JSON.stringify(results)}`);
        }
      }
      const { d, n } = nodes[nodes.length - 1];
      await search.fill(fold(n.title));
      await page.locator('#lb-results a').filter({ hasText: `${d.title} › ${n.title}` }).first().click();
      await h.waitHeading(page, n.title);
      assert.equal(await h.hash(page), `#/${d.id}/${n.id}`);
      await s.close();
    }
  });

  it('lands on the right node of the sibling file for answers across entry points', async () => {
    const cross = [];
    for (const entry of list) {
      for (const d of entry.payload.diagrams) {
        for (const n of d.nodes) {
          n.answers.forEach((a, i) => {
            if (a.entry) cross.push({ entry, d, n, a, i });
          });
        }
      }
    }
    for (const { entry, d, n, a, i } of cross.slice(0, 4)) {
      const target = list.find((e) => e.id === a.entry);
      assert.ok(target, `entry file ${a.entry}.html exists`);
      const t = findNode(target.payload, a.diagram, a.node);
      assert.ok(t, `${a.entry}: node ${a.diagram}/${a.node} exists`);
      const s = await open(entry, `#/${d.id}/${n.id}`);
      const { page } = s;
      await h.waitHeading(page, n.title);
      await page.locator('#lb-view a.lb-answer').nth(i).click();
      await page.waitForURL((url) => url.href.endsWith(`/${a.entry}.html#/${a.diagram}/${a.node}`));
      await h.waitHeading(page, t.title);
      await s.close();
    }
  });

  it('shows the stale warning only when the copy is older than the backup frequency', async () => {
    const entry = list[0];
    const { epoch } = entry.payload.snapshot;
    const days = entry.payload.backup.frequency_days;
    const old = await open(entry, '', { now: epoch * 1000 + (days + 10) * DAY });
    await h.waitHeading(old.page, entry.payload.entry.title);
    const alert = old.page.locator('#lb-stale [role="alert"]');
    assert.ok(await alert.isVisible());
    const text = await alert.textContent();
    for (const where of entry.payload.backup.locations) assert.ok(text.includes(where), `${where} listed`);
    await old.close();
    const fresh = await open(entry, '', { now: epoch * 1000 + DAY });
    await h.waitHeading(fresh.page, entry.payload.entry.title);
    assert.equal(await fresh.page.locator('[role="alert"]:visible').count(), 0);
    await fresh.close();
  });
});
