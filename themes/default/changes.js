/* Lifeboat "what changed in this copy": the steps added or changed since the previous copy carry a
 * badge, each diagram on the home page says how many of its steps changed, and the view #/~changes
 * lists the added and changed steps as links, the removed steps and diagrams by title, with the
 * previous copy's date. From the payload's `changes` (absent when the build had no previous copy to
 * compare with: then nothing is shown). viewer.js calls `lbChanges.start(cx)` with its helpers
 * (`cx`: data, h, S, btn, heading, nodeHref, findNode, baseTitle) and gets null (no comparison) or
 * {badge(d, n, short), diagramLine(d), homeLine(), render()}. See docs/viewer-contract.md. */
var lbChanges = (function () {
  'use strict';

  function list(v) {
    return Array.isArray(v) ? v.filter(function (x) { return typeof x === 'string'; }) : [];
  }

  function count(v) {
    var n = Number(v);
    return n > 0 && n < 1e9 ? Math.floor(n) : 0;
  }

  function start(cx) {
    var c = cx.data.changes;
    if (!c || typeof c !== 'object') return null;
    var h = cx.h;
    var S = cx.S;
    var added = list(c.added);
    var changed = list(c.changed);
    var removed = list(c.removed);
    var removedCount = Math.max(count(c.removed_count), removed.length);
    var diagramsRemoved = list(c.diagrams_removed);
    var diagramsRemovedCount = Math.max(count(c.diagrams_removed_count), diagramsRemoved.length);
    var kind = new Map();
    /* An entry point that the previous copy did not have: every step is new, so none carries a badge. */
    if (c.new_entry) added = [];
    added.forEach(function (k) { kind.set(k, 'new'); });
    changed.forEach(function (k) { kind.set(k, 'changed'); });
    var perDiagram = new Map();
    kind.forEach(function (v, k) {
      var d = k.slice(0, k.indexOf('/'));
      perDiagram.set(d, (perDiagram.get(d) || 0) + 1);
    });
    var total = kind.size + removedCount + diagramsRemovedCount + (c.new_entry ? 1 : 0);

    var day = String(c.previous_long || c.previous || '');

    function split(key) {
      var i = key.indexOf('/');
      return i < 0 ? null : cx.findNode(key.slice(0, i), key.slice(i + 1));
    }

    /* A step's badge: "New" or "Changed" (with the date in full, or short in the lists of a diagram). */
    function badge(d, n, short) {
      var k = kind.get(d + '/' + n);
      if (!k) return null;
      var text = short ? S(k === 'new' ? 'change_new' : 'change_changed')
        : S(k === 'new' ? 'change_new_since' : 'change_changed_since', { date: day });
      return h(short ? 'span' : 'p', { class: 'lb-badge lb-badge-' + k, 'data-lb-change': k, text: text });
    }

    /* "2 steps changed since the copy of 1 November 2026", under a diagram on the home page. */
    function diagramLine(d) {
      var n = perDiagram.get(d);
      if (!n) return null;
      return h('p', { class: 'lb-changes-count', 'data-lb-changes-count': n,
        text: n === 1 ? S('changes_in_diagram_one') : S('changes_in_diagram', { n: n }) });
    }

    /* The home page's link to the view, when something changed. */
    function homeLine() {
      if (!total) return null;
      return h('p', { class: 'lb-changes-line' },
        h('a', { class: 'lb-btn', href: '#/~changes', 'data-lb-changes': '',
          text: c.new_entry ? S('changes_link_new_entry', { date: day }) : S('changes_link', { n: kind.size + removedCount, date: day }) }));
    }

    function section(title, items) {
      if (!items.length) return null;
      return h('section', { class: 'lb-changes-section' },
        h('h2', { class: 'lb-section-title', text: title + ' (' + items.length + ')' }),
        h('ul', { class: 'lb-changes-list' }, items));
    }

    function stepLinks(keys) {
      return keys.map(function (key) {
        var f = split(key);
        if (!f) return null;
        return h('li', null, h('a', { href: cx.nodeHref(f.diagram.id, f.node.id), text: f.diagram.title + ' › ' + f.node.title }));
      }).filter(Boolean);
    }

    function titles(items) {
      return items.map(function (t) { return h('li', { text: t }); });
    }

    function render() {
      var parts = [
        h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') }, cx.btn('#/', S('home'))),
        h('p', { class: 'lb-kicker', text: cx.data.entry.title || '' }),
        cx.heading('h1', S('changes_title')),
        h('p', { class: 'lb-desc', text: (c.revision ? S('changes_since_revision', { date: day, revision: String(c.revision) }) : S('changes_since', { date: day })) })
      ];
      if (c.new_entry) parts.push(h('p', { class: 'lb-desc', text: S('changes_new_entry') }));
      if (!total) parts.push(h('p', { class: 'lb-empty', text: S('changes_none') }));
      parts.push(section(S('changes_added'), stepLinks(added)));
      parts.push(section(S('changes_changed'), stepLinks(changed)));
      var gone = titles(removed);
      if (removedCount > removed.length) gone.push(h('li', { text: S('changes_removed_unnamed', { n: removedCount - removed.length }) }));
      parts.push(section(S('changes_removed'), gone));
      var goneDiagrams = titles(diagramsRemoved);
      if (diagramsRemovedCount > diagramsRemoved.length) goneDiagrams.push(h('li', { text: S('changes_removed_unnamed', { n: diagramsRemovedCount - diagramsRemoved.length }) }));
      parts.push(section(S('changes_diagrams_removed'), goneDiagrams));
      return { parts: parts, title: S('changes_title'), docTitle: S('changes_title') + ' — ' + cx.baseTitle };
    }

    return { badge: badge, diagramLine: diagramLine, homeLine: homeLine, render: render };
  }

  return { start: start };
})();
