/* Lifeboat search: the search field, its index and its results list, over every open entry point of the
 * bundle. The index holds this file's nodes (each node's search text, merged in from #lb-more) and the
 * nodes of every other open entry point (#lb-bundle: one packed segment per sibling file, see
 * docs/viewer-contract.md); a locked entry point is never in another file's index. It is built after the
 * first view, a slice per task (or at once on first use, the field focused or typed in, if that comes
 * first), so the first keystroke costs what the others do. A node matches when every word typed is in
 * its title, its text, its answers, its diagram's title or tags (folded: no case, no accents); nodes
 * with every word in their title come first, this file's before its siblings'. Each result shows a
 * snippet around the match with the words marked. Results are built with createElement (no markup).
 * Called by viewer.js with what it shares (`cx`). */
var lbSearch = (function () {
  'use strict';

  var LIMIT = 50;
  /* Results shown in the keystroke's own frame (a screenful); the others when typing pauses. */
  var FIRST = 12;
  /* Milliseconds without a keystroke before the other results are shown. */
  var REST_AFTER = 120;
  /* Milliseconds of index building per task. */
  var SLICE = 8;
  /* Characters of text shown before and after the first match in a snippet (then cut at a space). */
  var BEFORE = 50;
  var AFTER = 110;
  /* Characters after a word within which the other words count as found with it. */
  var NEAR = 60;

  /* The folded form of one code point `c` (the fold of a text is the fold of its code points one by
   * one: marks are dropped, and a capital sigma is always σ), remembered: a text has few distinct ones. */
  var folds = new Map();
  function foldChar(cx, c) {
    var f = folds.get(c);
    if (f === undefined) folds.set(c, (f = cx.fold(c)));
    return f;
  }

  /* `text[from, to)` as text and <mark> elements: each place a word is found (folded) is marked. */
  function marked(cx, text, from, to, words) {
    var folded = '';
    var at = []; // at[k]: where in `text` the code point that gave folded[k] starts
    for (var i = from; i < to;) {
      var len = text.codePointAt(i) > 0xffff ? 2 : 1;
      var f = foldChar(cx, text.substr(i, len));
      for (var k = 0; k < f.length; k++) at.push(i);
      folded += f;
      i += len;
    }
    at.push(to);
    var hit = new Uint8Array(folded.length + 1);
    words.forEach(function (w) {
      for (var p = folded.indexOf(w); p >= 0; p = folded.indexOf(w, p + 1)) hit.fill(1, p, p + w.length);
    });
    var parts = [];
    var start = 0;
    for (var j = 1; j <= folded.length; j++) {
      if (j < folded.length && hit[j] === hit[start]) continue;
      var a = at[start];
      var b = j < folded.length ? at[j] : to;
      if (b > a) {
        var piece = text.slice(a, b).replace(/\s+/g, ' ');
        parts.push(hit[start] ? cx.h('mark', { class: 'lb-hit', text: piece }) : piece);
      }
      start = j;
    }
    return parts;
  }

  /* Where in `text` (plain) the folded offset `p` of its fold falls. */
  function textOffset(cx, text, p) {
    var n = 0;
    var i = 0;
    while (i < text.length && n < p) {
      var len = text.codePointAt(i) > 0xffff ? 2 : 1;
      n += foldChar(cx, text.substr(i, len)).length;
      i += len;
    }
    return i;
  }

  /* Where the snippet of a hit starts, in its folded text `ftext`: where the words typed are found in a row
   * in its text, else the place where the most of them (by length) are found within a few words, the
   * first such place; -1 when no word is in its text. */
  function bestMatch(it, words, phrase) {
    var at = it.ftext.indexOf(phrase);
    if (at >= 0 || words.length === 1) return at >= 0 ? at : it.ftext.indexOf(words[0]);
    var best = -1;
    var score = 0;
    words.forEach(function (w) {
      for (var p = it.ftext.indexOf(w), n = 0; p >= 0 && n < 20; p = it.ftext.indexOf(w, p + 1), n++) {
        var here = 0;
        for (var i = 0; i < words.length; i++) {
          var q = it.ftext.indexOf(words[i], p);
          if (q >= 0 && q < p + NEAR) here += words[i].length;
        }
        if (here > score || (here === score && p < best)) {
          best = p;
          score = here;
        }
      }
    });
    return best;
  }

  /* The snippet of a hit: its text around the place most words are found (or its tags when only a tag
   * matched; its text's start when only the titles did), words marked. */
  function snippet(cx, it, words) {
    var first = bestMatch(it, words, words.join(' '));
    var text = it.text;
    if (first < 0 && it.tags && words.some(function (w) { return it.ftags.indexOf(w) >= 0; })) text = it.tags;
    if (!text) return null;
    // Where the fold has the text's length, offsets are (all but always) the same in both: the marks
    // are placed by folding the snippet itself, so a rare shift only moves the window a little.
    var at = first < 0 || text !== it.text ? 0 : it.ftext.length === text.length ? first : textOffset(cx, text, first);
    var from = Math.max(0, at - BEFORE);
    var to = Math.min(text.length, at + AFTER);
    if (from > 0) from = Math.min(at, text.indexOf(' ', from) + 1 || at);
    if (to < text.length) {
      var cut = text.lastIndexOf(' ', to);
      if (cut > at) to = cut;
    }
    return cx.h('p', { class: 'lb-result-snippet' },
      from > 0 ? '… ' : null, marked(cx, text, from, to, words), to < text.length ? ' …' : null);
  }

  /* Wires the search field; returns { clear(), focus() } for the viewer (a route change clears it, `/`
   * focuses it; focus returns false when the page has no search field). */
  function view(cx) {
    var doc = document;
    var searchInput = cx.byId('lb-search');
    var searchStatus = cx.byId('lb-search-status');
    var results = cx.byId('lb-results');
    var resultsList = cx.byId('lb-results-list');
    var own = cx.data.entry && cx.data.entry.id;

    /* The other open entry points' segments (#lb-bundle), once unpacked: [[entry id, title, diagrams]].
     * Null while the element is still being read or unpacked. */
    var siblings = null;
    var siblingsUnpacking = false;
    var waiting = [];
    function whenSiblings(fn) {
      if (siblings) return fn();
      if (waiting.indexOf(fn) < 0) waiting.push(fn);
      if (siblingsUnpacking) return;
      var el = cx.byId('lb-bundle');
      if (doc.readyState === 'loading' && !(el && el.nextSibling)) return setTimeout(function () { whenSiblings(fn); }, 30);
      var parts = el && typeof lbUnpack === 'function' ? el.textContent.trim().split(/\s+/).filter(Boolean) : [];
      var got = new Array(parts.length);
      var left = parts.length;
      var done = function () {
        siblings = got.filter(Array.isArray);
        var ready = waiting;
        waiting = [];
        ready.forEach(function (f) { f(); });
      };
      siblingsUnpacking = true;
      if (!left) return done();
      parts.forEach(function (text, i) {
        lbUnpack(text, function (seg) {
          got[i] = seg;
          if (--left === 0) done();
        });
      });
    }

    /* One index item per node: its folded title and text; `dt` the folded diagram title and tags, shared
     * by the diagram's nodes. Each is one fold's result, a flat string (a concatenation would be searched
     * as a rope). */
    function item(entry, d, dt, id, title, text, tags, ftags) {
      var ftitle = cx.fold(title);
      var t = text ? String(text) : '';
      return { entry: entry, d: d, id: id, title: title, ftitle: ftitle, text: t, tags: tags, ftags: ftags,
        ftext: cx.fold(t), dt: dt };
    }
    function tagsOf(tags) {
      return Array.isArray(tags) ? tags.map(String).join(', ') : '';
    }

    /* The index, built in slices of at most SLICE ms (a task each, so that a click or the parser gets the
     * page between two), or at once when a search needs it. `sources` is what is left to add: one
     * diagram each, this file's first, then its siblings'. */
    var index = null;
    var building = null;
    function sources() {
      var list = [];
      cx.data.diagrams.forEach(function (d) {
        list.push({ entry: null, d: d, tags: d.tags, nodes: d.nodes || [], own: true });
      });
      siblings.forEach(function (seg) {
        if (String(seg[0]) === own) return;
        var entry = { id: String(seg[0]), title: String(seg[1]) };
        (seg[2] || []).forEach(function (sd) {
          list.push({ entry: entry, d: { id: String(sd[0]), title: String(sd[1]) }, tags: sd[2], nodes: sd[3] || [] });
        });
      });
      return { list: list, at: 0, items: [] };
    }
    function add(b, src) {
      var tags = tagsOf(src.tags);
      var ftags = cx.fold(tags);
      var dt = cx.fold(src.d.title + '\n' + tags);
      src.nodes.forEach(function (n) {
        b.items.push(src.own ? item(null, src.d, dt, n.id, n.title, n.search, tags, ftags)
          : item(src.entry, src.d, dt, String(n[0]), String(n[1]), n[2], tags, ftags));
      });
    }
    /* Adds diagrams until `until` (a performance.now() time) has passed; the index once every one is in. */
    function buildIndex(until) {
      if (index || !cx.more() || !siblings) return index;
      if (!building) building = sources();
      var b = building;
      while (b.at < b.list.length) {
        add(b, b.list[b.at++]);
        if (until !== undefined && performance.now() > until && b.at < b.list.length) return null;
      }
      index = b.items;
      building = null;
      // For the benchmarks (bench/desk.js) and a desk's own developer tools: when search became ready.
      if (window.performance && performance.mark) performance.mark('lb-search-ready');
      return index;
    }
    /* Runs `fn` once the index is built (now when it is, or can be). */
    function withIndex(fn) {
      if (buildIndex()) return fn();
      cx.whenMore(function () { whenSiblings(function () { buildIndex(); fn(); }); });
    }
    /* Builds the index a slice per task, from the first view on. */
    var slices = null;
    function buildInSlices() {
      if (slices || index) return;
      slices = new MessageChannel();
      slices.port1.onmessage = function () {
        if (!buildIndex(performance.now() + SLICE)) slices.port2.postMessage(0);
      };
      cx.whenMore(function () { whenSiblings(function () { slices.port2.postMessage(0); }); });
    }

    function href(it) {
      // Entry, diagram and node ids are plain names (checked by the build): a sibling file is `<id>.html`.
      return (it.entry ? it.entry.id + '.html' : '') + cx.nodeHref(it.d.id, it.id);
    }

    function result(it, words) {
      return cx.h('li', { class: 'lb-result' + (it.entry ? ' lb-result-other' : '') },
        cx.h('a', { class: 'lb-result-link', href: href(it) },
          it.entry ? [cx.h('span', { class: 'lb-result-entry', text: it.entry.title }), ' › '] : null,
          cx.h('span', { class: 'lb-result-diagram', text: it.d.title }), ' › ',
          cx.h('span', { class: 'lb-result-node' }, marked(cx, it.title, 0, it.title.length, words))),
        snippet(cx, it, words));
    }

    /* The last search: its words joined, how many, and its hits in order. */
    var last = null;

    var rest = null;
    function runSearch() {
      clearTimeout(rest);
      resultsList.removeAttribute('aria-busy');
      var words = cx.fold(searchInput.value).split(/[\s.,;:!?'"«»()\u2019]+/).filter(Boolean);
      resultsList.textContent = '';
      if (!words.length) {
        last = null;
        results.hidden = true;
        searchStatus.textContent = '';
        return;
      }
      if (!buildIndex()) return withIndex(runSearch);
      // Typing on: when the query only grew, every word typed before is inside one typed now, so
      // the hits are among the last ones (in the same order): only those are searched again.
      var query = words.join(' ');
      var from = last && query.indexOf(last.query) === 0 && words.length >= last.words ? last.hits : index;
      var inTitle = [];
      var inText = [];
      for (var i = 0; i < from.length; i++) {
        var it = from[i];
        var all = true;
        var titled = true;
        for (var j = 0; j < words.length && all; j++) {
          var w = words[j];
          if (it.ftitle.indexOf(w) < 0) {
            titled = false;
            all = it.ftext.indexOf(w) >= 0 || it.dt.indexOf(w) >= 0;
          }
        }
        if (all) (titled ? inTitle : inText).push(it);
      }
      var hits = inTitle.concat(inText);
      last = { query: query, words: words.length, hits: hits };
      var shown = hits.slice(0, LIMIT);
      // The first screenful now; the rest once typing pauses (the next keystroke cancels them).
      cx.append(resultsList, shown.slice(0, FIRST).map(function (it) { return result(it, words); }));
      if (shown.length > FIRST) {
        resultsList.setAttribute('aria-busy', 'true');
        rest = setTimeout(function () {
          cx.append(resultsList, shown.slice(FIRST).map(function (it) { return result(it, words); }));
          resultsList.removeAttribute('aria-busy');
        }, REST_AFTER);
      }
      results.hidden = false;
      var status;
      if (!hits.length) status = cx.S('search_none');
      else if (hits.length === 1) status = cx.S('search_one');
      else if (hits.length > shown.length) status = cx.S('search_limited', { n: hits.length, shown: shown.length });
      else status = cx.S('search_many', { n: hits.length });
      searchStatus.textContent = status;
    }

    function clearSearch() {
      clearTimeout(rest);
      if (resultsList) resultsList.removeAttribute('aria-busy');
      if (!searchInput || (!searchInput.value && results.hidden)) return;
      searchInput.value = '';
      last = null;
      resultsList.textContent = '';
      results.hidden = true;
      searchStatus.textContent = '';
    }

    if (searchInput) {
      searchInput.addEventListener('input', runSearch);
      searchInput.addEventListener('focus', function () { withIndex(function () {}); });
      searchInput.addEventListener('keydown', function (e) {
        if (e.key === 'Escape') {
          clearSearch();
          e.preventDefault();
        } else if (e.key === 'Enter') {
          var first = resultsList.querySelector('a');
          if (first) {
            e.preventDefault();
            first.click();
          }
        }
      });
    }

    // viewer.js shows the first view right after this returns: the index is built after its frame
    // (or a little later where no frame comes, a page in the background), without waiting for an idle
    // moment that a page still being read does not have.
    if (searchInput) {
      requestAnimationFrame(function () { setTimeout(buildInSlices, 0); });
      setTimeout(buildInSlices, 500);
    }

    return {
      clear: clearSearch,
      focus: function () {
        if (!searchInput) return false;
        searchInput.focus();
        searchInput.select();
        return true;
      }
    };
  }

  return { view: view };
})();
