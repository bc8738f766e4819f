/* Lifeboat search: the search field, its index and its results list. The index is built when the browser
 * is idle after the first view (or on first use, the field focused or typed in, if that comes first),
 * so the first keystroke costs what the others do, from each node's folded text (`search`, merged in from #lb-more) and
 * title; a node matches when every word typed is in its text or its diagram's title, and nodes with every
 * word in their title come first. Results are links built with createElement (no markup). Called by
 * viewer.js with what it shares (`cx`); see docs/viewer-contract.md. */
var lbSearch = (function () {
  'use strict';

  var LIMIT = 50;

  /* Wires the search field; returns { clear(), focus() } for the viewer (a route change clears it, `/`
   * focuses it; focus returns false when the page has no search field). */
  function view(cx) {
    var searchInput = cx.byId('lb-search');
    var searchStatus = cx.byId('lb-search-status');
    var results = cx.byId('lb-results');
    var resultsList = cx.byId('lb-results-list');

    /* The search index is built when the browser is idle after the first view, or on first use (the
     * search field focused or typed in), never before the first view is shown. */
    var index = null;
    function searchIndex() {
      if (index || !cx.more()) return index;
      index = [];
      cx.data.diagrams.forEach(function (d) {
        var dtitle = cx.fold(d.title);
        (d.nodes || []).forEach(function (n) {
          var title = cx.fold(n.title);
          // The node's text and its diagram's title are searched apart (a word has no space, so it cannot
          // straddle the two): no 2 MB of concatenated copies for a big entry point.
          index.push({ d: d, n: n, title: title, text: n.search ? String(n.search) : title, dtitle: dtitle });
        });
      });
      return index;
    }

    function runSearch() {
      var words = cx.fold(searchInput.value).split(/[\s.,;:!?'"«»()\u2019]+/).filter(Boolean);
      resultsList.textContent = '';
      if (!words.length) {
        results.hidden = true;
        searchStatus.textContent = '';
        return;
      }
      if (!searchIndex()) return cx.whenMore(runSearch);
      var inTitle = [];
      var inText = [];
      searchIndex().forEach(function (it) {
        if (!words.every(function (w) { return it.text.indexOf(w) >= 0 || it.dtitle.indexOf(w) >= 0; })) return;
        if (words.every(function (w) { return it.title.indexOf(w) >= 0; })) inTitle.push(it);
        else inText.push(it);
      });
      var hits = inTitle.concat(inText);
      var shown = hits.slice(0, LIMIT);
      cx.append(resultsList, shown.map(function (it) {
        return cx.h('li', { class: 'lb-result' },
          cx.h('a', { class: 'lb-result-link', href: cx.nodeHref(it.d.id, it.n.id) },
            cx.h('span', { class: 'lb-result-diagram', text: it.d.title }), ' › ',
            cx.h('span', { class: 'lb-result-node', text: it.n.title })));
      }));
      results.hidden = false;
      var status;
      if (!hits.length) status = cx.S('search_none');
      else if (hits.length === 1) status = cx.S('search_one');
      else if (hits.length > shown.length) status = cx.S('search_limited', { n: hits.length, shown: shown.length });
      else status = cx.S('search_many', { n: hits.length });
      searchStatus.textContent = status;
    }

    function clearSearch() {
      if (!searchInput || (!searchInput.value && results.hidden)) return;
      searchInput.value = '';
      resultsList.textContent = '';
      results.hidden = true;
      searchStatus.textContent = '';
    }

    if (searchInput) {
      searchInput.addEventListener('input', runSearch);
      searchInput.addEventListener('focus', function () { cx.whenMore(searchIndex); });
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

    // viewer.js shows the first view right after this returns; then, when nothing else is waiting (a
    // timeout so that a busy page still gets it; a plain delay where requestIdleCallback is missing).
    if (searchInput) {
      var build = function () { cx.whenMore(searchIndex); };
      if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(build, { timeout: 2000 });
      else setTimeout(build, 300);
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
