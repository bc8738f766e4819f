/* Lifeboat call assistant: the payload's `call` (fields, wrap-up template, log settings) turns it on.
 * In node HTML, `.lb-ask` spans become labelled inputs, `.lb-call` spans show the value typed so far and
 * `a[data-lb-href]` links get it at `{name}`, live, for the whole call, in every diagram and entry point
 * of the site. The path taken (step and answer chosen), the fields and a comment make the call notes
 * (a panel from the header, opened on end points), copied as plain text; "End call" saves the call to
 * the log (calllog.js keeps it, views and exports it) and starts a new one. viewer.js calls
 * `lbCall.start(cx, secret)` with its helpers (`cx`) and, for a locked entry point, `secret` = {key} (the
 * AES-GCM key unlock.js derives from the access key), and gets {render(id), shown(root, kind, f),
 * restarted(), newCall()} ("Restart call" was chosen: the call goes on from its first step, nothing is
 * cleared; "New call" from an end point: as the panel's button, asking first).
 * See docs/call-assistant.md. */
var lbCall = (function () {
  'use strict';

  var TYPES = { text: 'text', number: 'text', phone: 'tel', email: 'email', date: 'date' };
  var PATH_LIMIT = 200;

  function start(cx, secret) {
    var doc = cx.doc;
    var data = cx.data;
    var h = cx.h;
    var S = cx.S;
    var L = lbCallLog;
    var conf = data.call;
    var logConf = conf.log || {};
    var logOn = logConf.enabled !== false;
    var keepDays = Number(logConf.keep_days) > 0 ? Number(logConf.keep_days) : 7;
    var fields = (Array.isArray(conf.fields) ? conf.fields : []).filter(function (f) {
      return f && typeof f.name === 'string' && f.name;
    });
    var byName = {};
    var patterns = {};
    fields.forEach(function (f) {
      byName[f.name] = f;
      // The author's ECMAScript regex; a bad one (which `check` reports) only loses its hint.
      if (f.pattern) {
        try {
          patterns[f.name] = new RegExp(f.pattern, 'u');
        } catch (e) {
          /* no hint for this field */
        }
      }
    });

    var failed = null;
    var st = L.store({ site: String(conf.site || ''), entry: data.entry.id, locked: !!cx.sealed, key: secret && secret.key, fail: storageFailed });
    var state = fresh();
    var records = [];
    var unsaved = [];
    var exported = {};
    var purged = 0;
    var aside = false;
    var ready = false;
    var shownArgs = null;
    var lastKind = null;
    var here = null;
    var uid = 0;

    function fresh() {
      return { v: 1, started: null, entry: null, entry_title: null, path: [], fields: {}, comment: '', copied: false };
    }

    function str(v) {
      return typeof v === 'string' ? v : null;
    }

    function normalize(v) {
      var s = fresh();
      if (!v || typeof v !== 'object' || v.v !== 1) return s;
      s.started = str(v.started);
      s.entry = str(v.entry);
      s.entry_title = str(v.entry_title);
      s.path = (Array.isArray(v.path) ? v.path : []).filter(function (p) {
        return p && typeof p.step === 'string' && typeof p.diagram === 'string';
      }).slice(-PATH_LIMIT);
      if (v.fields && typeof v.fields === 'object') {
        Object.keys(v.fields).forEach(function (k) {
          if (typeof v.fields[k] === 'string') s.fields[k] = v.fields[k];
        });
      }
      s.comment = str(v.comment) || '';
      s.copied = v.copied === true;
      return s;
    }

    function validRecord(r) {
      return r && typeof r === 'object' && typeof r.id === 'string' && typeof r.ended === 'string';
    }

    function value(name) {
      return Object.prototype.hasOwnProperty.call(state.fields, name) ? state.fields[name] : '';
    }

    function labelOf(name) {
      return byName[name] ? String(byName[name].label || name) : name;
    }

    // Made when first needed: an Intl formatter costs tens of milliseconds on a slow desk PC, and the
    // home page is shown before any time is.
    var fmt;
    function time(iso) {
      var d = new Date(iso);
      if (isNaN(d.getTime())) return '';
      if (fmt === undefined) {
        try {
          fmt = new Intl.DateTimeFormat(data.lang || undefined, { dateStyle: 'short', timeStyle: 'short' });
        } catch (e) {
          fmt = null;
        }
      }
      return fmt ? fmt.format(d) : d.toLocaleString();
    }

    /* ---------- page furniture: header buttons, the notes panel, the storage alert ---------- */

    var toggle = h('button', {
      class: 'lb-btn lb-call-toggle', id: 'lb-call-toggle', type: 'button', 'aria-expanded': 'false',
      'aria-controls': 'lb-call-panel', text: S('call_notes')
    });
    var flash = h('p', { class: 'lb-call-flash', id: 'lb-call-flash', role: 'status' });
    // Before the scheme toggle, in the header's tools (#lb-tools, a menu on narrow screens: layout.js).
    var scheme = cx.byId('lb-scheme');
    var bar = scheme ? scheme.parentNode : doc.querySelector('.lb-bar');
    if (bar) {
      bar.insertBefore(h('div', { class: 'lb-call-tools' }, toggle,
        logOn ? h('a', { class: 'lb-btn', id: 'lb-call-loglink', href: '#/~calls', text: S('call_log') }) : null, flash),
      scheme);
    }

    function button(id, text, primary) {
      return h('button', { class: 'lb-btn' + (primary ? ' lb-btn-primary' : ''), id: id, type: 'button', text: text });
    }

    var title = h('h2', { class: 'lb-call-title', id: 'lb-call-title', tabindex: '-1', text: S('call_notes') });
    var closeBtn = button('lb-call-close', S('call_close'));
    var startedLine = h('p', { class: 'lb-call-started', id: 'lb-call-started' });
    var comment = h('textarea', { class: 'lb-field-input lb-call-comment', id: 'lb-call-comment', rows: 3 });
    var noteArea = h('textarea', { class: 'lb-call-note', id: 'lb-call-note', readonly: true, rows: 12 });
    var copyBtn = button('lb-call-copy', S('call_copy'), true);
    var endBtn = logOn ? button('lb-call-end', S('call_end')) : null;
    var newBtn = button('lb-call-new', S('call_new'));
    var status = h('p', { class: 'lb-call-status', id: 'lb-call-status', role: 'status' });
    var panel = h('section', { class: 'lb-call-panel', id: 'lb-call-panel', 'aria-labelledby': 'lb-call-title', hidden: true },
      h('div', { class: 'lb-call-head' }, title, closeBtn),
      startedLine,
      fields.length ? h('fieldset', { class: 'lb-call-fields' }, h('legend', { text: S('call_fields_legend') }),
        fields.map(function (f) { return h('p', { class: 'lb-call-field' }, control(f)); })) : null,
      h('p', { class: 'lb-call-field' }, h('label', { class: 'lb-field-label', for: 'lb-call-comment', text: S('call_comment') }), comment),
      h('p', { class: 'lb-call-field' }, h('label', { class: 'lb-field-label', for: 'lb-call-note', text: S('call_note_label') }), noteArea),
      h('p', { class: 'lb-call-actions' }, copyBtn, endBtn, newBtn,
        logOn ? h('a', { class: 'lb-btn', id: 'lb-call-panel-log', href: '#/~calls', text: S('call_log') }) : null),
      status);
    var main = cx.byId('lb-main');
    cx.view.parentNode.insertBefore(panel, cx.view.nextSibling);
    var alertBox = h('div', { class: 'lb-call-alert', id: 'lb-call-alert', role: 'alert' });
    main.parentNode.insertBefore(alertBox, main);

    function openPanel(focus) {
      refreshPanel(true);
      panel.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      main.classList.add('lb-call-open');
      if (focus) {
        title.focus({ preventScroll: true });
        panel.scrollIntoView({ block: 'nearest' });
      }
    }

    function closePanel(focusBack) {
      panel.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      main.classList.remove('lb-call-open');
      if (focusBack) toggle.focus();
    }

    /* ---------- storage failures: shown at once, with "Export now" ---------- */

    function storageFailed(e) {
      failed = e || true;
      updateAlert();
    }

    function updateAlert() {
      alertBox.textContent = '';
      if (!failed) return;
      var parts = [h('p', { class: 'lb-call-alert-title' }, h('strong', { text: st.usable ? S('call_storage_failed') : S('call_storage_unavailable') }))];
      if (unsaved.length) parts.push(h('p', { text: (unsaved.length === 1 ? S('call_storage_unsaved_one', { n: unsaved.length }) : S('call_storage_unsaved', { n: unsaved.length })) }));
      if (logOn) {
        var now = button('lb-call-export-now', S('call_export_now'), true);
        now.addEventListener('click', function () { say(flash, S('call_log_exported', { file: exportAs('json') })); });
        parts.push(h('p', null, now));
      } else {
        parts.push(h('p', { text: S('call_storage_copy') }));
      }
      parts.forEach(function (p) { alertBox.appendChild(p); });
    }

    window.addEventListener('beforeunload', function (e) {
      if (unsaved.length || (failed && state.started)) {
        e.preventDefault();
        e.returnValue = '';
      }
    });

    function say(el, text) {
      el.textContent = '';
      setTimeout(function () { el.textContent = text; }, 30);
    }

    /* ---------- fields ---------- */

    /* A labelled input for field `f` (a new id each time: a field may be asked in several places). */
    function control(f) {
      uid += 1;
      var id = 'lb-field-' + uid;
      var input;
      if (f.kind === 'multiline') {
        input = h('textarea', { class: 'lb-field-input', id: id, rows: 3 });
      } else if (f.kind === 'choice') {
        input = h('select', { class: 'lb-field-input', id: id }, h('option', { value: '', text: S('call_choose') }),
          (Array.isArray(f.choices) ? f.choices : []).map(function (c) { return h('option', { value: String(c), text: String(c) }); }));
      } else {
        input = h('input', {
          class: 'lb-field-input', id: id, type: TYPES[f.kind] || 'text', inputmode: f.kind === 'number' ? 'numeric' : null,
          autocomplete: 'off', spellcheck: 'false'
        });
      }
      input.setAttribute('data-lb-field', f.name);
      var hint = f.hint ? h('span', { class: 'lb-field-hint', id: id + '-hint', text: String(f.hint) }) : null;
      var msg = h('span', { class: 'lb-field-msg', id: id + '-msg' });
      input.setAttribute('aria-describedby', (hint ? id + '-hint ' : '') + id + '-msg');
      setControl(input, value(f.name));
      check(input, true);
      return h('span', { class: 'lb-field', 'data-lb-field-of': f.name },
        h('label', { class: 'lb-field-label', for: id, text: String(f.label || f.name) }), input, hint, msg);
    }

    function setControl(c, v) {
      if (c.value === v) return;
      if (c.tagName === 'SELECT' && v && !Array.prototype.some.call(c.options, function (o) { return o.value === v; })) {
        c.appendChild(h('option', { value: v, text: v }));
      }
      c.value = v;
    }

    /* The pattern's hint: cleared as soon as the value matches, shown when the value is committed
     * (change, or a value shown again) and does not. Never blocks anything. */
    function check(c, commit) {
      var name = c.getAttribute('data-lb-field');
      var re = patterns[name];
      var msg = doc.getElementById(c.id + '-msg');
      if (!re || !msg) return;
      var bad = c.value !== '' && !re.test(c.value);
      if (!bad) {
        msg.textContent = '';
        c.removeAttribute('aria-invalid');
      } else if (commit) {
        var hint = byName[name].hint;
        msg.textContent = hint ? S('call_pattern_hint', { hint: hint }) : S('call_pattern');
        c.setAttribute('aria-invalid', 'true');
      }
    }

    function fillCall(span) {
      var name = span.getAttribute('data-lb-call');
      var v = value(name);
      span.textContent = v || S('call_placeholder', { label: labelOf(name) });
      span.classList.toggle('lb-call-empty', !v);
    }

    function fillHref(a) {
      a.setAttribute('href', a.getAttribute('data-lb-href').replace(/\{([A-Za-z0-9_-]+)\}/g, function (m, name) {
        return encodeURIComponent(value(name));
      }));
    }

    function fill(root) {
      root.querySelectorAll('.lb-ask[data-lb-ask]').forEach(function (span) {
        if (span.firstChild) return;
        var f = byName[span.getAttribute('data-lb-ask')];
        if (f) span.appendChild(control(f));
        else span.textContent = '[' + span.getAttribute('data-lb-ask') + ']';
      });
      root.querySelectorAll('.lb-call[data-lb-call]').forEach(fillCall);
      root.querySelectorAll('a[data-lb-href]').forEach(fillHref);
    }

    /* Every place that shows field `name` (all fields when name is null), except the control typed in. */
    function update(name, source) {
      doc.querySelectorAll('[data-lb-field]').forEach(function (c) {
        var n = c.getAttribute('data-lb-field');
        if (name !== null && n !== name) return;
        if (c !== source) setControl(c, value(n));
        check(c, c !== source);
      });
      doc.querySelectorAll('.lb-call[data-lb-call]').forEach(function (s) {
        if (name === null || s.getAttribute('data-lb-call') === name) fillCall(s);
      });
      doc.querySelectorAll('a[data-lb-href]').forEach(fillHref);
      if (name === null && comment.value !== state.comment) comment.value = state.comment;
      refreshPanel();
    }

    /* ---------- the call in progress ---------- */

    function save() {
      if (st.usable) st.write('call', state);
    }

    function changed() {
      if (!state.started) {
        flash.textContent = '';
        state.started = new Date().toISOString();
        state.entry = data.entry.id;
        state.entry_title = data.entry.title || '';
      }
      state.copied = false;
      save();
    }

    function setField(name, v, source) {
      if (v === '') delete state.fields[name];
      else state.fields[name] = v;
      changed();
      update(name, source);
    }

    function stepKey(s) {
      return s.entry + '/' + s.d + '/' + s.n;
    }

    /* "Restart call" (viewer.js): the next step shown is added to the path even if it is on it already. */
    var restarting = false;

    /* A node shown: added to the path, or, when already on it (Back, a loop), the path goes back to it. */
    function visit(f) {
      var step = {
        entry: data.entry.id, d: f.diagram.id, n: f.node.id, diagram: String(f.diagram.title || ''),
        step: String(f.node.title || ''), answer: null, end: !(f.node.answers || []).length
      };
      var path = state.path;
      var key = stepKey(step);
      var at = -1;
      path.forEach(function (s, i) { if (stepKey(s) === key) at = i; });
      var again = restarting;
      restarting = false;
      if (at === path.length - 1 && at >= 0) return;
      if (again && path.length) {
        // "Restart call": the same call goes on from its first step; the path so far is kept.
        if (!path[path.length - 1].answer) path[path.length - 1].answer = S('restart_call');
        at = -1;
      }
      if (at >= 0) {
        state.path = path.slice(0, at + 1);
        state.path[at].answer = null;
      } else {
        var last = path[path.length - 1];
        if (last && !last.answer && last.entry === step.entry) {
          // Reached without a click seen (Forward, a link in the text): the one answer that leads here.
          var lf = cx.findNode(last.d, last.n);
          var leading = lf ? (lf.node.answers || []).filter(function (a) {
            return !a.entry && !a.at && a.diagram === step.d && a.node === step.n;
          }) : [];
          if (leading.length === 1) last.answer = leading[0].label;
        }
        path.push(step);
        if (path.length > PATH_LIMIT) path.splice(0, path.length - PATH_LIMIT);
      }
      changed();
    }

    /* The call as a log record (contract format); `ended` null for the live note. */
    function recordOf(ended) {
      var path = state.path.map(function (s) { return { diagram: s.diagram, step: s.step, answer: s.answer || null }; });
      if (path.length) path[path.length - 1].answer = null;
      var last = state.path[state.path.length - 1];
      var typed = {};
      Object.keys(state.fields).forEach(function (k) { if (state.fields[k] !== '') typed[k] = state.fields[k]; });
      return {
        id: ended ? makeId(ended) : null,
        started: state.started || (ended ? ended.toISOString() : null),
        ended: ended ? ended.toISOString() : null,
        entry: state.entry || data.entry.id,
        entry_title: state.entry_title || data.entry.title || '',
        environment: data.environment || null,
        snapshot: (data.snapshot && data.snapshot.date) || null,
        path: path,
        end: last && last.end ? last.step : null,
        fields: typed,
        comment: state.comment || ''
      };
    }

    /* `20261202T150405Z-4f1c2a9b7d3e`: the end time (UTC) and 48 random bits. */
    function makeId(d) {
      var b = new Uint8Array(6);
      window.crypto.getRandomValues(b);
      var hex = Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
      return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '') + '-' + hex;
    }

    /* ---------- the note ---------- */

    function fieldLines(typed) {
      var names = fields.map(function (f) { return f.name; })
        .concat(Object.keys(typed).filter(function (n) { return !byName[n]; }).sort());
      return names.filter(function (n) { return typed[n]; }).map(function (n) {
        return S('call_field_line', { label: labelOf(n), value: typed[n] });
      });
    }

    /* The site's template (`call.wrapup`) or the default (string call_note_template). A line whose every
     * name is empty is left out (no "Comment:" with nothing after it). */
    function noteText(rec) {
      var tpl = typeof conf.wrapup === 'string' && conf.wrapup.trim() ? conf.wrapup : S('call_note_template');
      var values = {
        now: time(rec.ended || new Date().toISOString()), started: rec.started ? time(rec.started) : '',
        entry: rec.entry_title || rec.entry || '', snapshot: rec.snapshot || '', environment: rec.environment || '',
        end: rec.end || '', comment: rec.comment || '', fields: fieldLines(rec.fields || {}).join('\n'),
        path: L.pathText(rec.path, '\n')
      };
      return tpl.replace(/\r\n?/g, '\n').split('\n').map(function (line) {
        var names = 0;
        var filled = 0;
        var out = line.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, function (m, name) {
          names += 1;
          var v = name.indexOf('call.') === 0 ? (rec.fields || {})[name.slice(5)] || ''
            : Object.prototype.hasOwnProperty.call(values, name) ? values[name] : m;
          if (v) filled += 1;
          return v;
        });
        return names && !filled ? null : out;
      }).filter(function (l) { return l !== null; }).join('\n').replace(/^\n+|\n+$/g, '');
    }

    /* The panel's lines and note, brought up to date when it is open or being opened (so a closed panel
     * costs nothing on each view shown). */
    function refreshPanel(opening) {
      if (panel.hidden && !opening) return;
      startedLine.textContent = state.started
        ? S(state.path.length === 1 ? 'call_started_one' : 'call_started', { time: time(state.started), n: state.path.length })
        : S('call_not_started');
      noteArea.value = noteText(recordOf(null));
      if (comment.value !== state.comment) comment.value = state.comment;
    }

    /* ---------- the log ---------- */

    function allRecords() {
      return records.concat(unsaved).sort(function (a, b) { return a.ended < b.ended ? -1 : a.ended > b.ended ? 1 : 0; });
    }

    /* Another tab may have changed the log: read it again, change it, write it. */
    function updateLog(change) {
      return new Promise(function (resolve) {
        st.read('log', function (v) {
          var list = st.usable ? (Array.isArray(v) ? v.filter(validRecord) : []) : records.slice();
          list = change(list);
          st.write('log', list).then(function (ok) {
            if (ok) records = list;
            resolve(ok);
          });
        });
      });
    }

    /* Saves `rec` with any record the browser refused before; those stay in memory (and in the alert,
     * the log view and the exports) until a write succeeds. */
    function saveRecord(rec) {
      var batch = unsaved.concat([rec]);
      unsaved = batch;
      return updateLog(function (list) {
        return list.concat(batch.filter(function (r) { return !list.some(function (x) { return x.id === r.id; }); }));
      }).then(function (ok) {
        if (ok) unsaved = unsaved.filter(function (r) { return batch.indexOf(r) < 0; });
        else if (!failed) storageFailed(st.problem);
        updateAlert();
        if (ok && !unsaved.length && failed && st.usable) {
          failed = null;
          updateAlert();
        }
        if (lastKind === 'calls') cx.route();
        return ok;
      });
    }

    function exportAs(kind) {
      var now = new Date();
      var list = allRecords();
      var name = L.fileName(S('call_export_file'), conf.site, kind, now);
      if (kind === 'csv') L.download(doc, name, L.csv(list, fields), 'text/csv;charset=utf-8');
      else L.download(doc, name, L.json(data, list, fields, now), 'application/json');
      list.forEach(function (r) { exported[r.id] = true; });
      return name;
    }

    function clearLog() {
      var all = allRecords();
      var left = all.filter(function (r) { return !exported[r.id]; }).length;
      L.confirm(cx, {
        title: S('call_confirm_clear_title'),
        body: left
          ? S(left === 1 ? 'call_confirm_clear_unexported_one' : 'call_confirm_clear_unexported', { n: left })
          : S(all.length === 1 ? 'call_confirm_clear_body_one' : 'call_confirm_clear_body', { n: all.length }),
        choices: [{ value: 'clear', text: S('call_confirm_clear') }],
        cancel: S('call_cancel')
      }).then(function (v) {
        if (v !== 'clear') return;
        var ids = all.map(function (r) { return r.id; });
        updateLog(function (list) { return list.filter(function (r) { return ids.indexOf(r.id) < 0; }); }).then(function (ok) {
          if (ok || !st.usable) unsaved = [];
          if (!ok && !st.usable) records = [];
          updateAlert();
          cx.route();
          say(flash, ok || !st.usable ? S('call_log_cleared') : S('call_log_not_cleared'));
        });
      });
    }

    var model = {
      log: logOn,
      locked: !!cx.sealed,
      usable: st.usable,
      keepDays: keepDays,
      drop: logConf.drop || null,
      records: function () {
        return allRecords().reverse().map(function (r) {
          return unsaved.indexOf(r) >= 0 ? Object.assign({ unsaved: true }, r) : r;
        });
      },
      noteText: noteText,
      time: time,
      exportAs: exportAs,
      clear: clearLog,
      copyNote: copyNote
    };

    /* ---------- actions ---------- */

    function copyNote(area, btn, where) {
      L.copy(doc, area, btn, function (r) {
        say(where, r === 'copied' ? S('call_copied') : S('call_copy_manual'));
        if (r === 'copied' && area === noteArea) {
          state.copied = true;
          save();
        }
      });
    }

    /* A new call: fields, path and comment cleared, the home page shown. */
    function reset(message) {
      state = fresh();
      // A new call starts a new trail too (viewer.js).
      if (cx.dropTrail) cx.dropTrail();
      if (st.usable) st.write('call', null);
      update(null, null);
      closePanel(false);
      if (location.hash === '#/' || location.hash === '' || location.hash === '#') cx.route();
      else location.hash = '#/';
      say(flash, message);
    }

    function endCall() {
      if (!state.started) return say(status, S('call_nothing'));
      var rec = recordOf(new Date());
      saveRecord(rec);
      reset(S('call_saved', { time: time(rec.ended) }));
    }

    function newCall() {
      if (!state.started || (!logOn && state.copied)) return reset(S('call_ready'));
      L.confirm(cx, {
        title: S('call_confirm_new_title'),
        body: logOn ? S('call_confirm_new_body') : S('call_confirm_new_body_nolog'),
        choices: (logOn ? [{ value: 'save', text: S('call_confirm_save'), primary: true }] : [])
          .concat([{ value: 'discard', text: S('call_confirm_discard') }]),
        cancel: S('call_cancel')
      }).then(function (v) {
        if (v === 'save') endCall();
        else if (v === 'discard') reset(S('call_ready'));
      });
    }

    toggle.addEventListener('click', function () {
      if (panel.hidden) openPanel(true);
      else closePanel(true);
    });
    closeBtn.addEventListener('click', function () { closePanel(true); });
    copyBtn.addEventListener('click', function () {
      noteArea.value = noteText(recordOf(null));
      copyNote(noteArea, copyBtn, status);
    });
    if (endBtn) endBtn.addEventListener('click', endCall);
    newBtn.addEventListener('click', newCall);
    panel.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        closePanel(true);
      }
    });

    doc.addEventListener('input', function (e) {
      var t = e.target;
      if (!ready || !(t instanceof Element)) return;
      if (t.hasAttribute('data-lb-field')) setField(t.getAttribute('data-lb-field'), t.value, t);
      else if (t === comment) {
        state.comment = t.value;
        changed();
        noteArea.value = noteText(recordOf(null));
      }
    });
    doc.addEventListener('change', function (e) {
      if (e.target instanceof Element && e.target.hasAttribute('data-lb-field')) check(e.target, true);
    });
    // Capture: seen before the viewer follows the answer (a click, or its 1-9 key).
    doc.addEventListener('click', function (e) {
      var a = e.target instanceof Element && e.target.closest('a.lb-answer');
      if (!a || !ready || !here || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      var last = state.path[state.path.length - 1];
      var label = a.querySelector('.lb-answer-label');
      if (!last || !label || stepKey(last) !== data.entry.id + '/' + here.diagram.id + '/' + here.node.id) return;
      last.answer = label.textContent;
      save();
    }, true);

    // Another tab of the same site typed or ended a call.
    window.addEventListener('storage', function (e) {
      if (!ready || !st.usable || !e.key) return;
      if (e.key === st.keyOf('call')) {
        st.read('call', function (v) {
          state = normalize(v);
          update(null, null);
        });
      } else if (logOn && e.key === st.keyOf('log')) {
        st.read('log', function (v) {
          records = Array.isArray(v) ? v.filter(validRecord) : [];
          if (lastKind === 'calls') cx.route();
        });
      }
    });

    /* ---------- the viewer's hooks ---------- */

    function shown(root, kind, f) {
      shownArgs = [root, kind, f];
      lastKind = kind;
      here = kind === 'node' && f ? f : null;
      if (!ready) return;
      if (here) visit(here);
      fill(root);
      if (here && !(here.node.answers || []).length) openPanel(false);
      else refreshPanel();
    }

    function render(id) {
      model.purged = purged;
      model.aside = aside;
      return L.view(cx, model, id || null);
    }

    /* ---------- start: the call in progress and the log, read (and decrypted) ---------- */

    function loaded() {
      ready = true;
      update(null, null);
      if (shownArgs) {
        var args = shownArgs;
        if (args[1] === 'calls') cx.route();
        else shown(args[0], args[1], args[2]);
      }
    }

    if (!st.usable) storageFailed(st.problem);
    st.read('call', function (v, asideCall) {
      state = normalize(v);
      if (!logOn) return loaded();
      st.read('log', function (list, asideLog) {
        var all = Array.isArray(list) ? list.filter(validRecord) : [];
        var now = Date.now();
        records = L.recent(all, keepDays, now);
        purged = all.length - records.length;
        if (purged) st.write('log', records);
        aside = !!(asideCall || asideLog) || (st.usable && st.sealed &&
          st.purgeAside('log', keepDays, now) + st.purgeAside('call', keepDays, now) > 0);
        loaded();
      });
    });

    /* "Restart call": fields and comment stay (the same caller); the path goes on from the first step. */
    function restarted() {
      restarting = !!state.started;
    }

    return { render: render, shown: shown, restarted: restarted, newCall: newCall };
  }

  return { start: start };
})();
