/* Lifeboat page frame: what surrounds the step, kept small so that the step's question and its answers
 * are in view without scrolling. The banner and the stale-copy alert are one line on narrow screens
 * (a "Details" button expands them), the header's tools go into a menu on narrow screens, the colour
 * scheme toggle (remembered per bundle), the trail on one line scrolled to the current step, and the
 * answers kept in view at the bottom of the window ("docked") when a long step pushes them below it.
 * viewer.js calls `lbLayout.start(cx)` with its helpers (`cx`: doc, data, h, S, byId, view) before the
 * first view and gets {shown(kind)}, called after each view is shown. See docs/viewer-contract.md. */
var lbLayout = (function () {
  'use strict';

  /* A docked answer list may take at most this share of the window's height. */
  var DOCK_MAX = 0.5;

  function start(cx) {
    var doc = cx.doc;
    var data = cx.data;
    var h = cx.h;
    var S = cx.S;
    var root = doc.documentElement;
    var view = cx.view;

    /* ---------- "Details": a box shown whole on wide screens, one line on narrow ones ---------- */

    /* Wires `button` (aria-expanded) to show or hide the rest of `box` (class lb-open); the class
     * lb-compact tells the stylesheet that the box can be folded (without this script it never is). */
    function expander(box, button) {
      box.classList.add('lb-compact');
      button.hidden = false;
      button.setAttribute('aria-expanded', 'false');
      button.addEventListener('click', function () {
        var open = button.getAttribute('aria-expanded') !== 'true';
        button.setAttribute('aria-expanded', open ? 'true' : 'false');
        box.classList.toggle('lb-open', open);
      });
    }

    var banner = cx.byId('lb-banner');
    var bannerMore = cx.byId('lb-banner-more');
    if (banner && bannerMore) expander(banner, bannerMore);

    /* ---------- the stale-copy alert ---------- */

    function checkStale() {
      var snap = data.snapshot || {};
      var backup = data.backup || {};
      var days = Number(backup.frequency_days);
      var epoch = Number(snap.epoch);
      if (!(days > 0) || !(epoch > 0)) return;
      // Counted as everywhere else (`manifest::Age`): whole UTC days from the snapshot's date to today.
      var age = Math.floor(Date.now() / 86400000) - Math.floor(epoch / 86400);
      if (age <= days) return;
      var slot = cx.byId('lb-stale');
      if (!slot) return;
      var locations = Array.isArray(backup.locations) ? backup.locations : [];
      var more = h('button', {
        class: 'lb-btn lb-stale-more', id: 'lb-stale-more', type: 'button', 'aria-controls': 'lb-stale-details',
        text: S('details')
      });
      var box = h('div', { class: 'lb-stale', role: 'alert' },
        h('div', { class: 'lb-stale-line' }, h('p', { class: 'lb-stale-title' }, h('strong', { text: S('stale_title') })), more),
        h('div', { class: 'lb-stale-details', id: 'lb-stale-details' },
          h('p', { class: 'lb-stale-body', text: S('stale_body', { date: snap.date_long || snap.date, age: age, days: days, late: age - days }) }),
          locations.length ? h('p', { class: 'lb-stale-where', text: S('stale_locations') }) : null,
          locations.length ? h('ul', { class: 'lb-stale-locations' },
            locations.map(function (l) { return h('li', null, h('code', { text: l })); })) : null));
      slot.appendChild(box);
      expander(box, more);
    }

    /* ---------- the header's tools: one row on wide screens, a menu on narrow ones ---------- */

    var bar = doc.querySelector('.lb-bar');
    var tools = cx.byId('lb-tools');
    var menu = cx.byId('lb-menu');
    function closeMenu(focusBack) {
      if (!menu || menu.getAttribute('aria-expanded') !== 'true') return;
      menu.setAttribute('aria-expanded', 'false');
      bar.classList.remove('lb-menu-open');
      if (focusBack) menu.focus();
    }
    if (bar && tools && menu) {
      menu.hidden = false;
      bar.classList.add('lb-has-menu');
      menu.addEventListener('click', function () {
        if (menu.getAttribute('aria-expanded') === 'true') return closeMenu(false);
        menu.setAttribute('aria-expanded', 'true');
        bar.classList.add('lb-menu-open');
        var first = tools.querySelector('.lb-btn:not([hidden])');
        if (first) first.focus();
      });
      // A tool used closes the menu (the notes panel, the log or the scheme then speak for themselves).
      tools.addEventListener('click', function (e) {
        if (e.target instanceof Element && e.target.closest('.lb-btn') && e.target.id !== 'lb-scheme') closeMenu(false);
      });
      bar.addEventListener('keydown', function (e) {
        if (e.key === 'Escape' && bar.classList.contains('lb-menu-open')) {
          e.preventDefault();
          closeMenu(true);
        }
      });
    }

    /* ---------- light / dark: the system's choice, or the reader's, remembered per bundle ---------- */

    /* file:// pages may share one origin, so the key carries the bundle id. */
    var schemeKey = 'lifeboat:scheme:' + (data.bundle || (data.entry && data.entry.id) || '');
    var systemDark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

    function storedScheme() {
      try {
        var v = window.localStorage.getItem(schemeKey);
        return v === 'light' || v === 'dark' ? v : null;
      } catch (e) {
        return null;
      }
    }

    function isDark() {
      var chosen = root.getAttribute('data-scheme');
      if (chosen) return chosen === 'dark';
      return !!(systemDark && systemDark.matches);
    }

    function applyScheme(scheme) {
      if (scheme) root.setAttribute('data-scheme', scheme);
      else root.removeAttribute('data-scheme');
      var toggle = cx.byId('lb-scheme');
      if (toggle) toggle.setAttribute('aria-pressed', isDark() ? 'true' : 'false');
    }

    function initScheme() {
      applyScheme(storedScheme());
      var toggle = cx.byId('lb-scheme');
      if (!toggle) return;
      toggle.hidden = false;
      toggle.addEventListener('click', function () {
        var next = isDark() ? 'light' : 'dark';
        var system = systemDark && systemDark.matches ? 'dark' : 'light';
        /* Picking what the system says goes back to following the system. */
        try {
          if (next === system) window.localStorage.removeItem(schemeKey);
          else window.localStorage.setItem(schemeKey, next);
        } catch (e) {
          /* storage unavailable: the choice lasts for this page only */
        }
        applyScheme(next === system ? null : next);
      });
      if (systemDark && systemDark.addEventListener) {
        systemDark.addEventListener('change', function () { applyScheme(storedScheme()); });
      }
    }

    /* ---------- the answers in view: docked at the bottom of the window when the step is long ---------- */

    /* The answer list of a node view sticks to the bottom of the window (CSS position: sticky, class
     * lb-dock) when its place is below the first screen and it takes at most half of the window; the
     * page's scroll padding keeps a focused link above it. While text of the step is still hidden under
     * it, a line says so (and says when that text holds a critical step not yet in view). */
    var answers = null;
    var seenCaution = [];
    var pending = 0;

    /* The scroll padding goes into a rule of the page's own stylesheet (CSSOM), not a style attribute. */
    var padRule = null;
    function padBottom(px) {
      if (!padRule) {
        var sheet = doc.styleSheets[0];
        if (!sheet) return;
        try {
          padRule = sheet.cssRules[sheet.insertRule(':root{}', sheet.cssRules.length)];
        } catch (e) {
          return;
        }
      }
      padRule.style.scrollPaddingBottom = px ? px + 'px' : '';
    }

    function later() {
      if (pending) return;
      pending = (window.requestAnimationFrame || setTimeout)(function () {
        pending = 0;
        dock();
      });
    }

    function dock() {
      answers = view.querySelector('.lb-answers');
      padBottom(0);
      if (!answers) return;
      var more = answers.querySelector('.lb-dock-more');
      if (!more) {
        more = h('p', { class: 'lb-dock-more', 'aria-hidden': 'true' });
        answers.insertBefore(more, answers.firstChild);
      }
      answers.classList.remove('lb-dock');
      // The layout changed (an image decoded, a resize): what counts as seen is what the reader scrolls past.
      seenCaution = [];
      var vh = window.innerHeight || root.clientHeight;
      var bottom = answers.getBoundingClientRect().bottom + (window.pageYOffset || 0);
      if (bottom > vh + 1 && answers.offsetHeight <= vh * DOCK_MAX) {
        answers.classList.add('lb-dock');
        padBottom(answers.offsetHeight);
      }
      covered();
    }

    /* Says, in the docked list, that the step's text goes on under it; `scrolled`: a critical step
     * scrolled above the list counts as read. */
    function covered(scrolled) {
      if (!answers || !answers.classList.contains('lb-dock')) return;
      var more = answers.querySelector('.lb-dock-more');
      var top = answers.getBoundingClientRect().top;
      var text = answers.previousElementSibling;
      var hidden = !!text && text.getBoundingClientRect().bottom > top + 1;
      var caution = false;
      view.querySelectorAll('.callout-caution').forEach(function (c) {
        if (c.getBoundingClientRect().bottom <= top + 1) {
          if (scrolled && seenCaution.indexOf(c) < 0) seenCaution.push(c);
        } else if (seenCaution.indexOf(c) < 0) {
          caution = true;
        }
      });
      more.textContent = caution ? S('answers_more_caution') : S('answers_more');
      more.classList.toggle('lb-dock-caution', caution);
      more.classList.toggle('lb-dock-shown', hidden);
    }

    window.addEventListener('resize', later);
    window.addEventListener('scroll', function () { if (answers) covered(true); }, { passive: true });
    if (window.ResizeObserver) new ResizeObserver(later).observe(view);

    /* ---------- after each view ---------- */

    function shown(kind) {
      closeMenu(false);
      seenCaution = [];
      answers = null;
      // The trail is one line that scrolls: its end (the step shown) in view.
      var trail = view.querySelector('.lb-trail-list');
      if (trail) trail.scrollLeft = trail.scrollWidth;
      if (kind === 'node') dock();
      else padBottom(0);
    }

    root.classList.add('lb-js');
    initScheme();
    checkStale();
    return { shown: shown };
  }

  return { start: start };
})();
