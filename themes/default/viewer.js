/* Lifeboat viewer: shows the procedures of one entry point from its JSON payload (#lb-data, or the
 * decrypted payload of a locked entry point: unlock.js reads it and calls lbViewer, see there).
 * One classic script, no network, no eval, no inline styles (the page's CSP forbids them).
 * Routes (location.hash): #/ home, #/<diagram> start node, #/<diagram>/<node> a node,
 * #/~all/<diagram> the whole diagram, #/~map/<diagram>[/<node>] its map, #/~at/<d>/<n> diagram d, node n
 * of this file by position (links from other files into a locked one), #/~print every diagram for
 * printing, #/~calls[/<id>] the call log (call.js), #/~changes what changed since the previous copy
 * (changes.js). See docs/viewer-contract.md.
 * `sealedImages`: {id: [mime, base64]} of a locked entry point, else null (images in #lb-img-<id>, search
 * texts and maps in #lb-more). `sealedCall`: {key} for a locked entry point's stored calls (unlock.js). */
function lbViewer(data, sealedImages, sealedCall) {
  'use strict';

  var doc = document;
  var TRAIL_LIMIT = 200;

  function byId(id) {
    return doc.getElementById(id);
  }

  /* Builds an element. props: class, text, html (pre-sanitized only), data-*, aria-*, other attributes. */
  function h(tag, props) {
    var e = doc.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k === 'html') e.innerHTML = v;
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }

  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(parent, c); });
    else parent.appendChild(typeof child === 'string' ? doc.createTextNode(child) : child);
  }

  /* The search form of a text, the build's rule (`content::markdown::fold`; both are tested against
   * tests/fixtures/fold-words.json): NFD, every combining mark dropped, then lowercase letter by letter,
   * so a capital sigma is always σ (toLowerCase alone makes a word-final one ς). */
  function fold(s) {
    return String(s || '').normalize('NFD').replace(/\p{M}/gu, '').replace(/\u03a3/g, '\u03c3').toLowerCase();
  }

  var view = byId('lb-view');

  /* A browser that cannot unpack #lb-nodes is told it is too old, not that the file is damaged. */
  function showFatal() {
    var old = data && data.nodes_later && !(typeof lbUnpack === 'function' && lbUnpack.supported());
    var fatal = (old && byId('lb-old-browser')) || byId('lb-fatal');
    if (fatal) fatal.hidden = false;
  }

  /* ---------- payload ---------- */

  if (!data || !Array.isArray(data.diagrams) || !data.entry || (data.nodes_later && typeof lbLater !== 'function')) {
    showFatal();
    return;
  }

  var strings = data.strings || {};

  /* A UI string, with {name} placeholders filled from vars. */
  function S(key, vars) {
    var s = Object.prototype.hasOwnProperty.call(strings, key) ? String(strings[key]) : key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return s;
  }

  /* "Reviewed on 15 October 2025 by Billing team", from the front matter's `reviewed` and `owner`. */
  function reviewLine(d) {
    if (!d.reviewed && !d.owner) return null;
    var day = d.reviewed_long || d.reviewed;
    var key = day ? (d.owner ? 'review_by' : 'review_on') : 'review_owner';
    return h('p', { class: 'lb-review', text: S(key, { date: day, owner: d.owner }) });
  }

  var diagrams = new Map();
  function indexNodes(d) {
    var nodes = new Map();
    (d.nodes || []).forEach(function (n, i) {
      nodes.set(n.id, { node: n, index: i });
    });
    diagrams.set(d.id, { diagram: d, nodes: nodes });
  }
  data.diagrams.forEach(indexNodes);

  function findNode(d, n) {
    var dd = diagrams.get(d);
    if (!dd) return null;
    var nn = dd.nodes.get(n);
    return nn ? { diagram: dd.diagram, node: nn.node, index: nn.index } : null;
  }

  function startOf(d) {
    var dd = diagrams.get(d);
    if (!dd) return null;
    var start = dd.diagram.start;
    if (nodesState !== 2) return start || null; // the home page before #lb-nodes: the build's id
    if (!dd.nodes.has(start) && dd.diagram.nodes && dd.diagram.nodes.length) start = dd.diagram.nodes[0].id;
    return dd.nodes.has(start) ? start : null;
  }

  function nodeHref(d, n) {
    return '#/' + encodeURIComponent(d) + '/' + encodeURIComponent(n);
  }

  /* Where an answer leads: a node of this file, or of a sibling entry point's file (ids need no escaping). */
  function answerHref(a) {
    /* `at`: a node of a locked entry point, by position only (its ids are not in this file). */
    if (a.at) return a.entry + '.html#/~at/' + a.at[0] + '/' + a.at[1];
    return (a.entry ? a.entry + '.html' : '') + '#/' + a.diagram + '/' + a.node;
  }

  var baseTitle = doc.title;

  /* ---------- images ---------- */

  var imageUrls = new Map();

  function imageUrl(id) {
    if (imageUrls.has(id)) return imageUrls.get(id);
    var url = null;
    var sealed = sealedImages && Object.prototype.hasOwnProperty.call(sealedImages, id) ? sealedImages[id] : null;
    var src = sealed ? null : byId('lb-img-' + id);
    // Images follow the script in the file, so the first node shows before they are parsed (an element
    // with nothing after it yet may still be being read).
    if (!sealed && !(src && src.nextSibling) && doc.readyState === 'loading') return undefined;
    if (sealed || src) {
      try {
        var bin = atob(sealed ? String(sealed[1]) : src.textContent.replace(/\s+/g, ''));
        var bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        var mime = sealed ? String(sealed[0]) : src.getAttribute('data-mime');
        var blob = new Blob([bytes], { type: mime || 'application/octet-stream' });
        url = URL.createObjectURL(blob);
      } catch (e) {
        url = null;
      }
    }
    imageUrls.set(id, url);
    return url;
  }

  /* ---------- nodes (#lb-nodes), search texts and maps (#lb-more) ---------- */

  /* An open entry point's #lb-data is what the home page needs; the diagrams' nodes follow this script
   * in #lb-nodes, so the home page is shown before the browser has read the rest of the file. Views
   * that need a node wait for them (withNodes). A locked entry point has them in its sealed payload. */
  var nodesState = data.nodes_later ? 0 : 2; // 0 not asked for, 1 being read, 2 merged
  var waitingForNodes = [];
  function withNodes(fn) {
    if (nodesState === 2) return fn();
    if (waitingForNodes.indexOf(fn) < 0) waitingForNodes.push(fn);
    if (nodesState === 1) return;
    nodesState = 1;
    lbLater('lb-nodes', function (m) {
      if (!m || !Array.isArray(m.nodes)) return showFatal();
      data.diagrams.forEach(function (d, i) {
        d.nodes = Array.isArray(m.nodes[i]) ? m.nodes[i] : [];
        indexNodes(d);
      });
      nodesState = 2;
      runAll(waitingForNodes);
    });
  }

  /* Each node's search text and each diagram's map are in #lb-more, after the nodes: merged into `data`
   * when first needed (search, map view), so they are not parsed before the first node is shown. A
   * locked entry point has them in its sealed payload. False while #lb-more is being read or unpacked. */
  var moreMerged = !!sealedImages;
  var moreUnpacking = false;
  function more() {
    if (moreMerged || moreUnpacking) return moreMerged;
    if (nodesState !== 2) {
      withNodes(more);
      return false;
    }
    moreUnpacking = true;
    lbLater('lb-more', function (m) {
      if (m) data.diagrams.forEach(function (d, i) {
        var s = (m.search || [])[i] || [];
        if ((m.map || [])[i]) d.map = m.map[i];
        (d.nodes || []).forEach(function (n, j) { if (s[j]) n.search = s[j]; });
      });
      moreMerged = true;
      runAll(waitingForMore);
    });
    return moreMerged;
  }
  /* Runs `fn` once #lb-more is merged: now, or when it is (each function once). */
  var waitingForMore = [];
  function whenMore(fn) {
    if (more()) return fn();
    if (waitingForMore.indexOf(fn) < 0) waitingForMore.push(fn);
  }
  function runAll(list) {
    list.splice(0).forEach(function (f) { f(); });
  }

  function showImages(root) {
    var waiting = false;
    root.querySelectorAll('img[data-lb-img]').forEach(function (img) {
      var url = imageUrl(img.getAttribute('data-lb-img'));
      if (url === undefined) {
        if (!waiting) {
          waiting = true;
          doc.addEventListener('DOMContentLoaded', function () { showImages(root); }, { once: true });
        }
      } else if (url) {
        img.src = url;
      } else {
        img.classList.add('lb-img-missing');
        if (!img.alt) img.alt = S('image_missing');
      }
    });
  }

  /* Links that leave the copy (the online system, once it is back) open in a new tab, so the place is kept. */
  function externalLinks(root) {
    root.querySelectorAll('.lb-content a[href]').forEach(function (a) {
      if (/^https?:/i.test(a.getAttribute('href'))) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
    });
  }

  /* ---------- trail (nodes taken in this visit, kept per tab) ---------- */

  var trailKey = 'lifeboat:trail:' + (data.bundle || (data.entry && data.entry.id) || '');

  function loadTrail() {
    try {
      var v = JSON.parse(window.sessionStorage.getItem(trailKey) || '[]');
      return Array.isArray(v) ? v.filter(function (x) { return typeof x === 'string'; }) : [];
    } catch (e) {
      return [];
    }
  }

  var trail = loadTrail();

  function saveTrail() {
    try {
      window.sessionStorage.setItem(trailKey, JSON.stringify(trail));
    } catch (e) {
      /* storage unavailable: the trail lives only in memory */
    }
  }

  function dropTrail() {
    trail = [];
    saveTrail();
  }

  function visit(d, n) {
    var key = d + '/' + n;
    var at = trail.indexOf(key);
    if (at >= 0) trail = trail.slice(0, at + 1);
    else trail.push(key);
    if (trail.length > TRAIL_LIMIT) trail = trail.slice(trail.length - TRAIL_LIMIT);
    saveTrail();
  }

  /* ---------- live announcements ---------- */

  var announceTimer = 0;
  function announce(text) {
    var region = byId('lb-announce');
    if (!region) return;
    region.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      region.textContent = text;
    }, 60);
  }

  /* ---------- views ---------- */

  function heading(tag, text, cls) {
    return h(tag, { id: 'lb-heading', class: 'lb-heading' + (cls ? ' ' + cls : ''), tabindex: '-1', text: text });
  }

  function btn(href, text, extra) {
    var props = { class: 'lb-btn', href: href, text: text };
    if (extra) Object.keys(extra).forEach(function (k) { props[k] = extra[k]; });
    return h('a', props);
  }

  function tagList(tags) {
    if (!tags || !tags.length) return null;
    return h('ul', { class: 'lb-tags', 'aria-label': S('tags_label') },
      tags.map(function (t) { return h('li', { class: 'lb-tag', text: t }); }));
  }

  /* The entry point's first step (where "Restart call" goes): its `start`, else its diagram's start. */
  function entryStart() {
    var st = data.entry.start;
    var sd = st && nodesState !== 2 && diagrams.get(st.diagram);
    if (sd) return { diagram: sd.diagram, node: { id: st.node || sd.diagram.start } };
    var f = st && findNode(st.diagram, st.node);
    var sn = !f && st && diagrams.has(st.diagram) && startOf(st.diagram);
    return f || (sn ? findNode(st.diagram, sn) : null);
  }

  /* "Press 1", "keys 1 or 2", "keys 1 to 3" (1 to 9 at most): what the answers' keys are. */
  function keyHint(n) {
    return n === 1 ? S('answers_hint_one') : n === 2 ? S('answers_hint_two') : S('answers_hint', { n: Math.min(n, 9) });
  }

  function renderHome() {
    var entry = data.entry;
    // The site's name is in the header already; a locked entry point (unlocked) says it is protected.
    var parts = [sealedImages ? h('p', { class: 'lb-kicker lb-locked-mark' }, h('span', { class: 'lb-lock', 'aria-hidden': 'true' }), S('locked_kicker')) : null,
      heading('h1', entry.title || '')];
    if (entry.description) parts.push(h('p', { class: 'lb-desc', text: entry.description }));
    var st = entryStart();
    if (st) {
      parts.push(h('p', { class: 'lb-start' },
        h('a', { class: 'lb-btn lb-btn-primary', id: 'lb-start', href: nodeHref(st.diagram.id, st.node.id) },
          S('start_diagram', { title: st.diagram.title }))));
    }
    if (changes) parts.push(changes.homeLine());
    parts.push(h('h2', { class: 'lb-section-title', text: S('diagrams_heading') }));
    if (!data.diagrams.length) {
      parts.push(h('p', { class: 'lb-empty', text: S('diagrams_empty') }));
    } else {
      parts.push(h('ul', { class: 'lb-diagrams' }, data.diagrams.map(function (d) {
        var start = startOf(d.id);
        return h('li', { class: 'lb-diagram', 'data-diagram': d.id },
          h('a', { class: 'lb-diagram-link', href: start ? nodeHref(d.id, start) : '#/~all/' + d.id, text: d.title }),
          d.description ? h('p', { class: 'lb-diagram-desc', text: d.description }) : null,
          reviewLine(d),
          changes && changes.diagramLine(d.id),
          tagList(d.tags),
          h('a', { class: 'lb-diagram-all', href: '#/~all/' + encodeURIComponent(d.id), text: S('whole_diagram') }),
          ' ',
          h('a', { class: 'lb-diagram-all', href: mapHref(d.id), text: S('map') }));
      })));
      parts.push(h('p', { class: 'lb-print-all' }, btn('#/~print', S('print_all'), { 'data-lb-print-all': '' })));
    }
    return { parts: parts, title: entry.title || '', docTitle: baseTitle };
  }

  function trailView(current) {
    var items = [];
    trail.forEach(function (key) {
      var i = key.indexOf('/');
      var f = findNode(key.slice(0, i), key.slice(i + 1));
      if (f) items.push({ key: key, f: f });
    });
    if (items.length < 2) return null;
    return h('nav', { class: 'lb-trail', 'aria-label': S('trail_label') },
      h('ol', { class: 'lb-trail-list' }, items.map(function (it, i) {
        var label = it.f.diagram.id === current.diagram.id ? it.f.node.title : it.f.diagram.title + ' › ' + it.f.node.title;
        if (i === items.length - 1) return h('li', { class: 'lb-trail-item', 'aria-current': 'step' }, h('span', { text: label }));
        return h('li', { class: 'lb-trail-item' },
          h('a', { href: nodeHref(it.f.diagram.id, it.f.node.id), text: label }));
      })));
  }

  function renderNode(f) {
    var d = f.diagram;
    var n = f.node;
    var start = startOf(d.id);
    var answers = n.answers || [];
    var first = entryStart();
    // "Restart call" (the entry point's first step, the trail dropped) and "Diagram start" (the trail kept).
    function restarts(primary) {
      return [first && btn(nodeHref(first.diagram.id, first.node.id), S('restart_call'),
        { 'data-lb-restart': '', class: 'lb-btn' + (primary ? ' lb-btn-primary' : '') }), ' ',
      start && btn(nodeHref(d.id, start), S('diagram_start'), { 'data-lb-diagram-start': '' }), ' '];
    }
    var parts = [
      h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') },
        btn('#/', S('home'), { 'data-lb-home': '' }), restarts(false),
        btn('#/~all/' + encodeURIComponent(d.id), S('whole_diagram'), { 'data-lb-all': '' }),
        btn(mapHref(d.id, n.id), S('map'), { 'data-lb-map': '' })),
      trailView(f),
      h('p', { class: 'lb-kicker', text: d.title }),
      heading('h1', n.title),
      changes && changes.badge(d.id, n.id, false)
    ];
    if (n.id === start && d.intro_html) parts.push(h('div', { class: 'lb-intro lb-content', html: d.intro_html }));
    parts.push(h('div', { class: 'lb-content', html: n.html || '' }));
    if (answers.length) {
      parts.push(h('section', { class: 'lb-answers', 'aria-labelledby': 'lb-answers-title' },
        h('h2', { class: 'lb-visually-hidden', id: 'lb-answers-title', text: S('answers_label') }),
        h('p', { class: 'lb-answers-hint', text: keyHint(answers.length) }),
        h('ol', { class: 'lb-answer-list' }, answers.map(function (a, i) {
          var link = h('a', { class: 'lb-answer', href: answerHref(a), 'data-index': i + 1 });
          if (i < 9) {
            link.setAttribute('aria-keyshortcuts', String(i + 1));
            link.appendChild(h('span', { class: 'lb-key', 'aria-hidden': 'true', text: String(i + 1) }));
          }
          link.appendChild(h('span', { class: 'lb-answer-label', text: a.label }));
          if (a.at) link.appendChild(h('span', { class: 'lb-answer-locked' }, h('span', { class: 'lb-lock', 'aria-hidden': 'true' }), S('protected_link')));
          return h('li', null, link);
        }))));
    } else {
      parts.push(h('div', { class: 'lb-end', id: 'lb-end' },
        h('p', { class: 'lb-end-title', text: S('end_title') }),
        h('p', { class: 'lb-end-body', text: S('end_body') }),
        // With the call assistant, the next caller is its New call (which asks before clearing a call).
        h('p', { class: 'lb-end-actions' }, call ? h('button', { class: 'lb-btn lb-btn-primary', type: 'button',
          'data-lb-new-call': '', text: S('call_new') }) : null, ' ', restarts(!call), btn('#/', S('home')))));
    }
    return { parts: parts, title: n.title, docTitle: n.title + ' — ' + baseTitle };
  }

  function allAnchorId(nodeId, d) {
    return 'lb-n-' + (d ? d + '~' : '') + nodeId;
  }

  /* "§2.3": diagram number in this file, node number in its diagram (the same on screen and on paper). */
  function sectionNumber(diagramId, nodeIndex) {
    var di = data.diagrams.findIndex(function (x) { return x.id === diagramId; });
    return '§' + (di + 1) + '.' + (nodeIndex + 1);
  }

  function targetLabel(a, d) {
    if (a.at) return a.entry + '.html › ' + S('protected_procedure');
    if (a.entry) return a.entry + '.html › ' + a.diagram + ' › ' + a.node;
    var f = findNode(a.diagram, a.node);
    if (!f) return a.diagram + ' › ' + a.node;
    if (f.diagram.id === d.id) return sectionNumber(f.diagram.id, f.index) + ' ' + f.node.title;
    return sectionNumber(f.diagram.id, f.index) + ' ' + f.diagram.title + ' › ' + f.node.title;
  }

  /* The nodes of a diagram in order, numbered, answers as references. `multi`: several diagrams on the
   * page (print everything), so anchors carry the diagram id and node titles are one level lower. */
  function allNodeList(d, multi) {
    var nodes = d.nodes || [];
    return h('ol', { class: 'lb-all' }, nodes.map(function (n, i) {
      var answers = n.answers || [];
      return h('li', { class: 'lb-all-node', id: allAnchorId(n.id, multi && d.id), 'data-node': n.id },
        h(multi ? 'h3' : 'h2', { class: 'lb-all-title', id: 'lb-h-' + (multi ? d.id + '~' : '') + n.id, tabindex: '-1' },
          h('span', { class: 'lb-num', text: sectionNumber(d.id, i) + ' ' }), n.title,
          changes && changes.badge(d.id, n.id, true)),
        h('div', { class: 'lb-content', html: n.html || '' }),
        answers.length
          ? h('ul', { class: 'lb-all-answers', 'aria-label': S('answers_label') }, answers.map(function (a) {
            var local = !a.entry && (multi || a.diagram === d.id) && findNode(a.diagram, a.node);
            return h('li', null, h('a', {
              class: 'lb-all-answer',
              href: answerHref(a),
              'data-lb-goto': local ? allAnchorId(a.node, multi && a.diagram) : null
            }, h('span', { class: 'lb-answer-label', text: a.label }), ' ',
            h('span', { class: 'lb-target', text: '→ ' + targetLabel(a, d) })));
          }))
          : h('p', { class: 'lb-end-mark', text: S('end_mark') }));
    }));
  }

  function renderAll(d) {
    var start = startOf(d.id);
    var nodes = d.nodes || [];
    var parts = [
      h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') },
        btn('#/', S('home')),
        start ? btn(nodeHref(d.id, start), S('start_button')) : null,
        btn(mapHref(d.id), S('map'), { 'data-lb-map': '' }),
        h('button', { class: 'lb-btn', type: 'button', 'data-lb-print': '', text: S('print') })),
      h('p', { class: 'lb-kicker', text: S('whole_diagram_kicker') }),
      heading('h1', d.title)
    ];
    if (d.description) parts.push(h('p', { class: 'lb-desc', text: d.description }));
    parts.push(reviewLine(d), tagList(d.tags));
    parts.push(h('p', { class: 'lb-count', text: nodes.length === 1 ? S('steps_one') : S('steps_count', { n: nodes.length }) }));
    if (d.intro_html) parts.push(h('div', { class: 'lb-intro lb-content', html: d.intro_html }));
    parts.push(allNodeList(d, false));
    return { parts: parts, title: d.title, docTitle: d.title + ' — ' + baseTitle };
  }

  function renderNotFound() {
    return {
      parts: [
        heading('h1', S('not_found_title')),
        h('p', { class: 'lb-desc', text: S('not_found_body') }),
        h('p', null, btn('#/', S('back_home')))
      ],
      title: S('not_found_title'),
      docTitle: S('not_found_title') + ' — ' + baseTitle
    };
  }

  /* ---------- diagram map (#/~map/<diagram>[/<node>]) ---------- */

  function mapHref(d, n) {
    return '#/~map/' + encodeURIComponent(d) + (n ? '/' + encodeURIComponent(n) : '');
  }

  /* The view itself (SVG, legend, zoom) is map.js's `lbMap.view`. */
  var mapView = typeof lbMap === 'object' && lbMap && lbMap.view ? lbMap.view({
    doc: doc, root: view, h: h, S: S, btn: btn, heading: heading, nodeHref: nodeHref,
    answerHref: answerHref, announce: announce, byId: byId, baseTitle: baseTitle
  }) : null;

  /* ---------- print everything (#/~print) ---------- */

  function renderPrintAll() {
    var parts = [
      h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') },
        btn('#/', S('home')),
        h('button', { class: 'lb-btn', type: 'button', 'data-lb-print': '', text: S('print') })),
      h('p', { class: 'lb-kicker', text: S('print_all_kicker') }),
      heading('h1', data.entry.title || '')
    ];
    if (data.entry.description) parts.push(h('p', { class: 'lb-desc', text: data.entry.description }));
    data.diagrams.forEach(function (d, i) {
      parts.push(h('section', { class: 'lb-print-diagram', 'aria-labelledby': 'lb-pd-' + d.id },
        h('h2', { class: 'lb-print-title', id: 'lb-pd-' + d.id },
          h('span', { class: 'lb-num', text: '§' + (i + 1) + ' ' }), d.title),
        d.description ? h('p', { class: 'lb-desc', text: d.description }) : null,
        d.intro_html ? h('div', { class: 'lb-intro lb-content', html: d.intro_html }) : null,
        allNodeList(d, true)));
    });
    return { parts: parts, title: data.entry.title || '', docTitle: S('print_all_kicker') + ' — ' + baseTitle };
  }

  /* Prints once every image of the view is decoded (blob: images load asynchronously). */
  function printWhenReady() {
    var imgs = Array.prototype.slice.call(view.querySelectorAll('img[data-lb-img]'));
    var pending = imgs.map(function (img) {
      if (!img.getAttribute('src')) return Promise.resolve();
      return img.decode ? img.decode().catch(function () {}) : Promise.resolve();
    });
    Promise.all(pending).then(function () { window.print(); });
  }

  /* ---------- router ---------- */

  function decode(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  function parseRoute(hash) {
    var path = hash.replace(/^#/, '');
    if (path === '' || path === '/') return { kind: 'home' };
    if (path.charAt(0) !== '/') return { kind: 'anchor', id: decode(path) };
    var parts = path.slice(1).split('/').map(decode);
    if (parts.length === 2 && parts[0] === '~all') return { kind: 'all', d: parts[1] };
    if ((parts.length === 2 || parts.length === 3) && parts[0] === '~map') return { kind: 'map', d: parts[1], n: parts[2] };
    if (parts.length === 1 && parts[0] === '~print') return { kind: 'print' };
    if (parts.length === 1 && parts[0] === '~changes') return { kind: 'changes' };
    if (parts.length === 3 && parts[0] === '~at') return { kind: 'at', d: parts[1], n: parts[2] };
    if (parts.length <= 2 && parts[0] === '~calls') return { kind: 'calls', id: parts[1] };
    if (parts.length === 1 || (parts.length === 2 && parts[1] === '')) return { kind: 'diagram', d: parts[0] };
    if (parts.length === 2) return { kind: 'node', d: parts[0], n: parts[1] };
    return { kind: 'unknown' };
  }

  var firstRender = true;
  var lastHash = null;
  var currentKind = null;
  /* A map asked for before #lb-more was merged is shown then, unless the reader has gone elsewhere. */
  var mapAsked = null;
  function mapWhenMore() {
    if (location.hash === mapAsked) route();
  }

  function route() {
    var r = parseRoute(location.hash);
    if (r.kind !== 'home' && r.kind !== 'anchor' && nodesState !== 2) return withNodes(route);
    if (r.kind === 'anchor') {
      /* An in-page anchor (footnote, skip link without script): scroll to it and keep the route. */
      var target = byId(r.id);
      if (target && lastHash !== null) {
        history.replaceState(null, '', lastHash || '#/');
        scrollToTarget(target);
        return;
      }
      r = { kind: 'unknown' };
    }
    if (r.kind === 'at') {
      /* A link from another file into this one while it was locked: diagram and node by position. */
      var ad = /^\d+$/.test(r.d) && data.diagrams[+r.d];
      var an = ad && /^\d+$/.test(r.n) && ad.nodes && ad.nodes[+r.n];
      if (an) {
        history.replaceState(null, '', nodeHref(ad.id, an.id));
        r = { kind: 'node', d: ad.id, n: an.id };
      } else {
        r = { kind: 'unknown' };
      }
    }
    if (r.kind === 'diagram') {
      var s = startOf(r.d);
      if (s) {
        history.replaceState(null, '', nodeHref(r.d, s));
        r = { kind: 'node', d: r.d, n: s };
      } else {
        r = { kind: 'unknown' };
      }
    }
    var out;
    try {
      if (r.kind === 'home') out = renderHome();
      else if (r.kind === 'node') {
        var f = findNode(r.d, r.n);
        if (f) {
          visit(r.d, r.n);
          out = renderNode(f);
        }
      } else if (r.kind === 'all') {
        var dd = diagrams.get(r.d);
        if (dd) out = renderAll(dd.diagram);
      } else if (r.kind === 'map') {
        if (!more()) {
          mapAsked = location.hash;
          return whenMore(mapWhenMore);
        }
        var md = diagrams.get(r.d);
        var mn = md && r.n ? md.nodes.get(r.n) : null;
        if (md && mapView && (!r.n || mn)) out = mapView.render(md.diagram, mn && mn.node);
      } else if (r.kind === 'print') {
        out = renderPrintAll();
      } else if (r.kind === 'calls' && call) out = call.render(r.id);
      else if (r.kind === 'changes' && changes) out = changes.render();
      if (!out) {
        r = { kind: 'unknown' };
        out = renderNotFound();
      }
    } catch (e) {
      showFatal();
      return;
    }
    currentKind = r.kind;
    lastHash = location.hash;
    view.textContent = '';
    append(view, out.parts);
    view.setAttribute('data-view', r.kind);
    if (call) call.shown(view, r.kind, f);
    showImages(view);
    externalLinks(view);
    if (out.after) out.after();
    doc.title = out.docTitle;
    search.clear();
    if (!firstRender) {
      window.scrollTo(0, 0);
      focusHeading();
    }
    layout.shown(r.kind);
    announce(out.title);
    firstRender = false;
  }

  function focusHeading() {
    var hd = byId('lb-heading');
    if (hd) hd.focus({ preventScroll: true });
    else byId('lb-main').focus({ preventScroll: true });
  }

  function scrollToTarget(target) {
    var focusable = target;
    if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) {
      var inner = target.querySelector('[tabindex="-1"]');
      if (inner) focusable = inner;
      else target.setAttribute('tabindex', '-1');
    }
    target.scrollIntoView({ block: 'start' });
    focusable.focus({ preventScroll: true });
  }

  /* ---------- search (search.js's `lbSearch.view`) ---------- */

  var search = typeof lbSearch === 'object' && lbSearch && lbSearch.view ? lbSearch.view({
    byId: byId, data: data, h: h, append: append, S: S, fold: fold, nodeHref: nodeHref, more: more,
    whenMore: whenMore
  }) : { clear: function () {}, focus: function () { return false; } };

  /* The call assistant (call.js's `lbCall`): only for a payload with `call`. */
  var call = data.call && typeof lbCall === 'object' && lbCall ? lbCall.start({
    doc: doc, data: data, h: h, S: S, byId: byId, view: view, btn: btn, heading: heading, baseTitle: baseTitle,
    findNode: findNode, route: route, sealed: !!sealedImages, dropTrail: dropTrail
  }, sealedCall || null) : null;

  /* The page's frame (layout.js's `lbLayout`): banner, header menu, colour scheme, answers kept in view. */
  var layout = typeof lbLayout === 'object' && lbLayout ? lbLayout.start({ doc: doc, data: data, h: h, S: S, byId: byId, view: view })
    : { shown: function () {} };

  /* What changed since the previous copy (changes.js's `lbChanges`): null when the payload has no
   * comparison. */
  var changes = typeof lbChanges === 'object' && lbChanges ? lbChanges.start({
    data: data, h: h, S: S, btn: btn, heading: heading, nodeHref: nodeHref, findNode: findNode, baseTitle: baseTitle
  }) : null;

  /* ---------- clicks and keys ---------- */

  doc.addEventListener('click', function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var t = e.target;
    if (!(t instanceof Element)) return;
    var printBtn = t.closest('[data-lb-print]');
    if (printBtn) {
      printWhenReady();
      return;
    }
    if (t.closest('[data-lb-new-call]') && call) return call.newCall();
    var zoomBtn = t.closest('[data-lb-zoom]');
    if (zoomBtn && mapView) {
      mapView.zoom(Number(zoomBtn.getAttribute('data-lb-zoom')));
      return;
    }
    var a = t.closest('a[href]');
    if (!a) return;
    var href = a.getAttribute('href');
    if (a.id === 'lb-skip') {
      e.preventDefault();
      focusHeading();
      var hd = byId('lb-heading');
      (hd || byId('lb-main')).scrollIntoView({ block: 'start' });
      return;
    }
    var goto = a.getAttribute('data-lb-goto');
    if (goto && byId(goto)) {
      e.preventDefault();
      scrollToTarget(byId(goto));
      var title = byId(goto).querySelector('.lb-all-title');
      if (title) announce(title.textContent);
      return;
    }
    if (a.hasAttribute('data-lb-restart')) {
      dropTrail();
      if (call && call.restarted) call.restarted();
      if (href === location.hash) {
        e.preventDefault();
        route();
      }
      return;
    }
    if (href.charAt(0) === '#' && href.charAt(1) !== '/' && href.length > 1) {
      /* In-page anchor inside node content (a footnote): scroll without touching the route. */
      var target = byId(decode(href.slice(1)));
      if (target) {
        e.preventDefault();
        scrollToTarget(target);
      }
      return;
    }
    if (href.slice(0, 2) !== '#/') return;
    /* A route of this file: the hash is set as the link would (one history entry), and the view is
     * shown in this task, not a frame later when hashchange comes (it then finds the route shown). The
     * same route shows the view again (and moves focus): hashchange will not fire. */
    e.preventDefault();
    if (href !== location.hash && !(href === '#/' && (location.hash === '' || location.hash === '#'))) location.hash = href;
    route();
  });

  function isTyping(t) {
    if (!(t instanceof Element)) return false;
    var tag = t.tagName;
    if (t.isContentEditable || tag === 'TEXTAREA' || tag === 'SELECT') return true;
    var type = (t.getAttribute('type') || 'text').toLowerCase();
    return tag === 'INPUT' && ['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'range', 'color', 'file'].indexOf(type) < 0;
  }

  doc.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.isComposing) return;
    if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.key === 'ArrowLeft') {
      e.preventDefault();
      history.back();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    if (e.key === 'Backspace') {
      e.preventDefault();
      history.back();
    } else if (e.key === '/') {
      if (search.focus()) e.preventDefault();
    } else if (/^[1-9]$/.test(e.key) && currentKind === 'node') {
      var answers = view.querySelectorAll('a.lb-answer');
      var i = Number(e.key) - 1;
      if (i < answers.length) {
        e.preventDefault();
        answers[i].click();
      }
    }
  });

  /* ---------- start ---------- */

  doc.documentElement.classList.add('lb-js');
  window.addEventListener('hashchange', function () { if (location.hash !== lastHash) route(); });
  route();
  withNodes(function () {});
}
