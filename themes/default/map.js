/* Lifeboat diagram map: draws the SVG of one diagram's map from its layout (`diagram.map`, made by
 * src/render/map.rs) and the node data. Only createElementNS, setAttribute and textContent: every text
 * comes from the content and is never parsed as markup; no style attributes (the page's CSP forbids them),
 * classes are styled by viewer.css. Called by viewer.js when the map view is opened; see
 * docs/viewer-contract.md for the data and the SVG it gives. */
var lbMap = (function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  /* Box sizes in SVG units: the same as NODE_W…LABEL_H in src/render/map.rs (a Rust test compares them). */
  var NODE = [200, 64];
  var STUB = [176, 48];
  var LABEL = [150, 36];

  /* A coordinate as the attribute text: rounded to 0.1, no trailing ".0". */
  function num(v) {
    var r = Math.round(v * 10) / 10;
    return String(r === 0 ? 0 : r);
  }

  function setAll(e, attrs) {
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    }
    return e;
  }

  function el(doc, tag, attrs) {
    var e = doc.createElementNS(SVG, tag);
    return attrs ? setAll(e, attrs) : e;
  }

  function rect(doc, cls, x, y, w, h, rx) {
    var r = el(doc, 'rect', cls ? { 'class': cls } : null);
    r.setAttribute('x', num(x));
    r.setAttribute('y', num(y));
    r.setAttribute('width', num(w));
    r.setAttribute('height', num(h));
    r.setAttribute('rx', rx);
    return r;
  }

  /* The lines of a box's text: absent = the text, k = the text cut at k (the space dropped), else the lines. */
  function lines(text, enc) {
    text = String(text);
    if (enc === undefined || enc === null) return [text];
    if (typeof enc === 'number') return [text.slice(0, enc), text.slice(enc + 1)];
    return Array.isArray(enc) ? enc.map(String) : [];
  }

  /* Centred lines of text in a box; the first line gets the `lb-map-t1` class. */
  function textLines(doc, cls, x, y, w, h, ls, size, lead) {
    var t = el(doc, 'text', { 'class': cls, 'text-anchor': 'middle' });
    var cx = num(x + w / 2);
    var ty = y + h / 2 - lead * Math.max(ls.length - 1, 0) / 2 + size * 0.35;
    ls.forEach(function (line, k) {
      // A space between lines keeps words apart in the accessible name (taken from the text).
      if (k > 0) t.appendChild(doc.createTextNode(' '));
      var span = el(doc, 'tspan', { 'class': k === 0 ? 'lb-map-t1' : 'lb-map-tn', x: cx, y: num(ty) });
      span.textContent = line;
      t.appendChild(span);
      ty += lead;
    });
    return t;
  }

  function pointsOf(flat) {
    var pts = [];
    for (var i = 0; i + 1 < flat.length; i += 2) pts.push([Number(flat[i]), Number(flat[i + 1])]);
    return pts;
  }

  /* The layout of diagram `d`: a JSON text in the payload (so that the payload parses faster), parsed
   * the first time the map is opened. */
  var parsed = new WeakMap();
  function parse(d) {
    if (!d.map) return null;
    if (typeof d.map !== 'string') return d.map;
    if (!parsed.has(d)) {
      var map = null;
      try {
        map = JSON.parse(d.map);
      } catch (e) {
        map = null;
      }
      parsed.set(d, map);
    }
    return parsed.get(d);
  }

  /* The map of diagram `d` as an <svg> element, or null when the payload has none or does not fit the
   * diagram. `S(key, vars)`: a UI string; `answerHref(a)`: the link of an answer. */
  function draw(doc, d, S, answerHref) {
    var words = {
      decision: S('map_decision'),
      action: S('map_action'),
      end: S('map_end'),
      critical: S('map_critical'),
      elsewhere: S('map_elsewhere'),
      label: S('map_label', { title: d.title })
    };
    var map = parse(d);
    var nodes = d.nodes || [];
    if (!map || !Array.isArray(map.boxes) || map.boxes.length !== nodes.length) return null;
    var edgesAt = map.edges || [];
    var stubsAt = map.stubs || [];
    var critical = {};
    (map.critical || []).forEach(function (i) { critical[i] = true; });
    var index = new Map();
    nodes.forEach(function (n, i) { index.set(n.id, i); });
    var stubIndex = new Map();
    stubsAt.forEach(function (s, k) { if (!stubIndex.has(String(s[2]))) stubIndex.set(String(s[2]), k); });

    /* Edges in answer order: each with its label, source and target (a node index or a stub). */
    var edges = [];
    nodes.forEach(function (n, i) {
      (n.answers || []).forEach(function (a) {
        var local = !a.entry && a.diagram === d.id && index.has(a.node);
        var stub = local ? undefined : stubIndex.get(answerHref(a));
        if (!local && stub === undefined) return;
        edges.push({ from: i, label: String(a.label), node: local ? index.get(a.node) : -1, stub: stub });
      });
    });
    if (edges.length !== edgesAt.length) return null;

    var w = num(map.w);
    var h = num(map.h);
    var svg = el(doc, 'svg');
    svg.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns', SVG);
    setAll(svg, {
      'class': 'lb-map-svg', viewBox: '0 0 ' + w + ' ' + h, width: w, height: h,
      role: 'group', 'aria-label': words.label
    });

    // Edges under the boxes; decorative (each node's link names its answers).
    var g = el(doc, 'g', { 'class': 'lb-map-edges', 'aria-hidden': 'true' });
    edgesAt.forEach(function (e) {
      var pts = pointsOf(e[2] || []);
      var path = pts.map(function (p, k) { return (k === 0 ? 'M' : ' L') + num(p[0]) + ' ' + num(p[1]); }).join('');
      g.appendChild(el(doc, 'path', { 'class': 'lb-map-edge', d: path }));
      if (pts.length) {
        var last = pts[pts.length - 1];
        // The arrow points the way the last segment goes: up to an earlier row, or down.
        var up = pts.length > 1 && last[1] < pts[pts.length - 2][1];
        var x = last[0];
        var y = last[1];
        var dy = up ? 7 : -7;
        g.appendChild(el(doc, 'path', {
          'class': 'lb-map-arrow',
          d: 'M' + num(x) + ' ' + num(y) + ' L' + num(x - 5) + ' ' + num(y + dy) + ' L' + num(x + 5) + ' ' + num(y + dy) + ' Z'
        }));
      }
    });
    edgesAt.forEach(function (e, k) {
      var x = Number(e[0]);
      var y = Number(e[1]);
      var lg = el(doc, 'g', { 'class': 'lb-map-label' });
      lg.appendChild(rect(doc, null, x, y, LABEL[0], LABEL[1], '4'));
      lg.appendChild(textLines(doc, 'lb-map-label-text', x, y, LABEL[0], LABEL[1], lines(edges[k].label, e[3]), 13, 14));
      g.appendChild(lg);
    });
    svg.appendChild(g);

    var boxes = el(doc, 'g', { 'class': 'lb-map-nodes' });
    function titleOf(edge) {
      return edge.node >= 0 ? String(nodes[edge.node].title) : String(stubsAt[edge.stub][3]);
    }
    nodes.forEach(function (n, i) {
      var at = map.boxes[i];
      var x = Number(at[0]);
      var y = Number(at[1]);
      var W = NODE[0];
      var H = NODE[1];
      var out = edges.filter(function (e) { return e.from === i; });
      var kind = out.length >= 2 ? 'decision' : out.length === 1 ? 'action' : 'end';
      var crit = !!critical[i];
      var kindText = crit ? words.critical + ' · ' + words[kind] : words[kind];
      // The name comes from the visible text (kind, title); the description has the full title and
      // where each answer leads.
      var name = String(n.title);
      if (out.length) name += '. ' + out.map(function (e) { return e.label + ' → ' + titleOf(e); }).join(' ; ');
      var a = el(doc, 'a', {
        'class': 'lb-map-box lb-map-node lb-map-' + kind + (crit ? ' lb-map-critical' : ''),
        href: '#/' + d.id + '/' + n.id,
        'data-node': n.id
      });
      var desc = el(doc, 'desc');
      desc.textContent = name;
      a.appendChild(desc);
      if (kind === 'decision') {
        // A hexagon: pointed ends.
        var p = 14;
        a.appendChild(el(doc, 'polygon', {
          'class': 'lb-map-shape',
          points: [[x + p, y], [x + W - p, y], [x + W, y + H / 2], [x + W - p, y + H], [x + p, y + H], [x, y + H / 2]]
            .map(function (q) { return num(q[0]) + ',' + num(q[1]); }).join(' ')
        }));
      } else if (kind === 'action') {
        a.appendChild(rect(doc, 'lb-map-shape', x, y, W, H, '4'));
      } else {
        // A stadium with a second outline inside.
        a.appendChild(rect(doc, 'lb-map-shape', x, y, W, H, num(H / 2)));
        a.appendChild(rect(doc, 'lb-map-inner', x + 4, y + 4, W - 8, H - 8, num(H / 2 - 4)));
      }
      if (crit) {
        // A solid bar with "!" on the left edge: a mark of shape, not of colour.
        a.appendChild(el(doc, 'rect', {
          'class': 'lb-map-critical-bar', x: num(x + (kind === 'decision' ? 14 : 0)), y: num(y), width: '8', height: num(H)
        }));
      }
      var ls = [kindText].concat(lines(n.title, at[2]));
      a.appendChild(textLines(doc, 'lb-map-node-text', x, y, W, H, ls, 13, 16));
      boxes.appendChild(a);
    });
    stubsAt.forEach(function (s) {
      var x = Number(s[0]);
      var y = Number(s[1]);
      var a = el(doc, 'a', { 'class': 'lb-map-box lb-map-stub', href: String(s[2]) });
      var desc = el(doc, 'desc');
      desc.textContent = words.elsewhere + ' : ' + String(s[3]);
      a.appendChild(desc);
      a.appendChild(rect(doc, 'lb-map-shape', x, y, STUB[0], STUB[1], '2'));
      var ls = Array.isArray(s[4]) && s[4].length ? s[4].map(String) : [words.elsewhere];
      a.appendChild(textLines(doc, 'lb-map-stub-text', x, y, STUB[0], STUB[1], ls, 12, 15));
      boxes.appendChild(a);
    });
    svg.appendChild(boxes);
    return svg;
  }

  var MAP_ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2];

  /* The map view of viewer.js (#/~map/<diagram>[/<node>]): the drawn SVG with its legend, zoom buttons
   * and scroll box. `cx` holds what it uses of the viewer: its document, root view element, element and
   * string helpers, links, announcer and page title. */
  function view(cx) {
    var doc = cx.doc, root = cx.root, h = cx.h, S = cx.S, btn = cx.btn, heading = cx.heading;
    var nodeHref = cx.nodeHref, answerHref = cx.answerHref, announce = cx.announce, byId = cx.byId;
    var baseTitle = cx.baseTitle;
    var mapZoom = 3;

    function renderMap(d, current) {
      var svg = draw(doc, d, S, answerHref);
      var canvas = h('div', { class: 'lb-map-canvas' }, svg);
      var box = h('div', { class: 'lb-map-scroll', id: 'lb-map-scroll', tabindex: '0', role: 'region', 'aria-label': S('map_label', { title: d.title }) }, canvas);
      var zoom = h('div', { class: 'lb-map-zoom', role: 'group', 'aria-label': S('map_kicker') },
        h('button', { class: 'lb-btn lb-map-zoom-btn', type: 'button', 'data-lb-zoom': '-1', 'aria-label': S('map_zoom_out'), text: '−' }),
        h('button', { class: 'lb-btn lb-map-zoom-btn', type: 'button', 'data-lb-zoom': '0', text: S('map_zoom_reset') }),
        h('button', { class: 'lb-btn lb-map-zoom-btn', type: 'button', 'data-lb-zoom': '1', 'aria-label': S('map_zoom_in'), text: '+' }));
      var parts = [
        h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') },
          btn('#/', S('home')),
          current ? btn(nodeHref(d.id, current.id), S('map_back')) : null,
          btn('#/~all/' + encodeURIComponent(d.id), S('whole_diagram'))),
        h('p', { class: 'lb-kicker', text: S('map_kicker') }),
        heading('h1', d.title)
      ].concat(svg ? [
        h('p', { class: 'lb-map-legend', text: S('map_legend') }),
        zoom,
        box
      ] : [h('p', { class: 'lb-map-legend', text: S('map_too_large', { count: String(d.nodes.length) }) })]);
      return {
        parts: parts,
        title: S('map_label', { title: d.title }),
        docTitle: S('map_label', { title: d.title }) + ' — ' + baseTitle,
        after: function () {
          applyMapZoom();
          if (!current) return;
          var a = canvas.querySelector('a[data-node="' + current.id + '"]');
          if (!a) return;
          a.classList.add('lb-map-current');
          a.setAttribute('aria-current', 'step');
          centreMapOn(box, a);
        }
      };
    }

    function applyMapZoom() {
      var svg = root.querySelector('.lb-map-svg');
      if (!svg) return;
      var vb = (svg.getAttribute('viewBox') || '').split(/\s+/).map(Number);
      if (vb.length !== 4) return;
      svg.setAttribute('width', String(Math.round(vb[2] * MAP_ZOOMS[mapZoom])));
      svg.setAttribute('height', String(Math.round(vb[3] * MAP_ZOOMS[mapZoom])));
    }

    function zoomMap(step) {
      var box = byId('lb-map-scroll');
      if (!box) return;
      var cx = (box.scrollLeft + box.clientWidth / 2) / Math.max(box.scrollWidth, 1);
      var cy = (box.scrollTop + box.clientHeight / 2) / Math.max(box.scrollHeight, 1);
      mapZoom = step === 0 ? 3 : Math.max(0, Math.min(MAP_ZOOMS.length - 1, mapZoom + step));
      applyMapZoom();
      box.scrollLeft = cx * box.scrollWidth - box.clientWidth / 2;
      box.scrollTop = cy * box.scrollHeight - box.clientHeight / 2;
      announce(Math.round(MAP_ZOOMS[mapZoom] * 100) + ' %');
    }

    function centreMapOn(box, a) {
      var b = box.getBoundingClientRect();
      var r = a.getBoundingClientRect();
      box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
      box.scrollTop += r.top + r.height / 2 - (b.top + b.height / 2);
    }

    return { render: renderMap, zoom: zoomMap };
  }

  return { draw: draw, lines: lines, view: view };
}());
