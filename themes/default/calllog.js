/* Lifeboat call log: where the call assistant (call.js) keeps the call in progress and the ended calls,
 * and what it does with them: browser storage, plain for an open entry point, sealed (AES-GCM) with a key
 * derived from the access key for a locked one; the exports (CSV and JSON, downloaded from file://); the
 * confirmation dialog; copying a note; the call log view (#/~calls, #/~calls/<id>). Storage keys and
 * export formats: docs/call-assistant.md. */
var lbCallLog = (function () {
  'use strict';

  var PREFIX = 'lifeboat:v1:';
  var DAY = 86400000;

  function toB64(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  function fromB64(s) {
    var bin = atob(String(s));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  /* ---------- storage ---------- */

  /* The storage of one entry point's calls. o: {site, entry, locked, key (CryptoKey of a locked entry
   * point, or null), fail(error)}. `read(which, done)` gives the stored value ('call' or 'log') to
   * `done`: at once for an open entry point, once decrypted for a locked one; `write(which, value)`
   * resolves to true once stored, false when the browser refused (then `fail` was called). A locked entry
   * point without its key, or a browser without storage, keeps nothing (`usable` false). */
  function store(o) {
    var ls = null;
    var problem = null;
    try {
      ls = window.localStorage;
      var probe = PREFIX + o.site + ':probe';
      ls.setItem(probe, '1');
      ls.removeItem(probe);
    } catch (e) {
      problem = e || new Error('storage');
      ls = null;
    }
    var sealed = !!o.locked;
    var key = o.key || null;
    var usable = !!ls && (!sealed || !!key);
    function keyOf(which) {
      return PREFIX + o.site + ':' + which + (sealed ? ':' + o.entry : '');
    }
    function aad(which) {
      return new TextEncoder().encode('lifeboat-call:v1:' + o.site + ':' + o.entry + ':' + which);
    }
    function raw(which) {
      try {
        return ls ? ls.getItem(keyOf(which)) : null;
      } catch (e) {
        return null;
      }
    }
    function put(which, text) {
      if (!usable) return false;
      try {
        if (text === null) ls.removeItem(keyOf(which));
        else ls.setItem(keyOf(which), text);
        return true;
      } catch (e) {
        o.fail(e);
        return false;
      }
    }
    function newest(value) {
      if (!Array.isArray(value)) return null;
      return value.reduce(function (m, r) { return r && r.ended > (m || '') ? r.ended : m; }, null);
    }
    function seal(which, value) {
      var iv = new Uint8Array(12);
      window.crypto.getRandomValues(iv);
      var plain = new TextEncoder().encode(JSON.stringify(value));
      return window.crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv, additionalData: aad(which), tagLength: 128 }, key, plain)
        .then(function (ct) {
          return JSON.stringify({ v: 1, iv: toB64(iv), ct: toB64(ct), newest: newest(value) });
        });
    }
    function unseal(which, text) {
      var env = JSON.parse(text);
      return window.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromB64(env.iv), additionalData: aad(which), tagLength: 128 }, key, fromB64(env.ct))
        .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
    }
    /* What a locked entry point sealed with another key (the key was changed): kept aside, never
     * overwritten, until older than keep_days (it cannot be read, so its newest date is outside). */
    function setAside(which, text) {
      var k = keyOf(which) + ':unreadable';
      var kept = [];
      try {
        kept = JSON.parse(ls.getItem(k) || '[]');
      } catch (e) {
        kept = [];
      }
      kept.push(text);
      try {
        ls.setItem(k, JSON.stringify(kept));
        ls.removeItem(keyOf(which));
        return true;
      } catch (e) {
        o.fail(e);
        return false;
      }
    }
    var chain = Promise.resolve();
    var queued = {};
    var pending = {};
    return {
      usable: usable,
      sealed: sealed,
      problem: problem,
      keyOf: keyOf,
      read: function (which, done) {
        var text = raw(which);
        if (!usable || text === null) return done(null, false);
        if (!sealed) {
          var v = null;
          try {
            v = JSON.parse(text);
          } catch (e) {
            v = null;
          }
          return done(v, false);
        }
        var p;
        try {
          p = unseal(which, text);
        } catch (e) {
          p = Promise.reject(e);
        }
        p.then(function (v) { done(v, false); }, function () {
          // Written with another key (the access key was changed): set aside, never lost or overwritten.
          done(null, setAside(which, text));
        });
      },
      /* Writes of the same value kind coalesce: the last value wins, each written once in turn. */
      write: function (which, value) {
        if (!usable) return Promise.resolve(false);
        if (!sealed) return Promise.resolve(put(which, value === null ? null : JSON.stringify(value)));
        var first = !Object.prototype.hasOwnProperty.call(queued, which);
        queued[which] = value;
        if (!first) return pending[which];
        pending[which] = chain = chain.then(function () {
          var v = queued[which];
          delete queued[which];
          delete pending[which];
          if (v === null) return put(which, null);
          return seal(which, v).then(function (t) { return put(which, t); }, function (e) {
            o.fail(e);
            return false;
          });
        });
        return pending[which];
      },
      /* Drops what is kept aside once older than `days` (by its newest record). */
      purgeAside: function (which, days, now) {
        var k = keyOf(which) + ':unreadable';
        var kept;
        try {
          kept = JSON.parse(ls.getItem(k) || 'null');
        } catch (e) {
          kept = null;
        }
        if (!Array.isArray(kept)) return 0;
        var left = kept.filter(function (t) {
          try {
            var n = JSON.parse(t).newest;
            return !n || now - Date.parse(n) <= days * DAY;
          } catch (e) {
            return false;
          }
        });
        try {
          if (!left.length) ls.removeItem(k);
          else if (left.length !== kept.length) ls.setItem(k, JSON.stringify(left));
        } catch (e) {
          o.fail(e);
        }
        return left.length;
      }
    };
  }

  /* Records ended within the last `days` days (records without a readable end are kept). */
  function recent(records, days, now) {
    return records.filter(function (r) {
      var t = Date.parse(r && r.ended);
      return !(t > 0) || now - t <= days * DAY;
    });
  }

  /* ---------- exports ---------- */

  /* Field columns: the payload's fields in order, then any other name found in the records. */
  function fieldList(fields, records) {
    var list = fields.map(function (f) { return { name: f.name, label: f.label }; });
    var known = list.map(function (f) { return f.name; });
    records.forEach(function (r) {
      Object.keys(r.fields || {}).sort().forEach(function (n) {
        if (known.indexOf(n) < 0) {
          known.push(n);
          list.push({ name: n, label: n });
        }
      });
    });
    return list;
  }

  function pathText(path, sep) {
    return (path || []).map(function (s) {
      return s.diagram + ' › ' + s.step + (s.answer ? ' → ' + s.answer : '');
    }).join(sep);
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /* UTF-8 with a byte order mark (Excel reads the accents right), RFC 4180 quoting, CRLF. */
  function csv(records, fields) {
    var cols = fieldList(fields, records);
    var head = ['id', 'started', 'ended', 'entry', 'environment', 'snapshot', 'end', 'path', 'comment']
      .concat(cols.map(function (f) { return f.name; }));
    var lines = [head.map(csvCell).join(',')];
    records.forEach(function (r) {
      var row = [r.id, r.started, r.ended, r.entry, r.environment, r.snapshot, r.end, pathText(r.path, ' | '), r.comment]
        .concat(cols.map(function (f) { return (r.fields || {})[f.name]; }));
      lines.push(row.map(csvCell).join(','));
    });
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  }

  function json(data, records, fields, now) {
    return JSON.stringify({
      format: 'lifeboat-calls',
      version: 1,
      site: (data.site && data.site.name) || '',
      site_id: data.call.site,
      exported: now.toISOString(),
      fields: fieldList(fields, records),
      records: records
    }, null, 2) + '\n';
  }

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  /* This browser's mark in export names: 6 hex digits drawn once and kept (`lifeboat:v1:<site>:station`),
   * so that two agents exporting in the same minute into one drop folder never write the same name. A
   * browser that keeps nothing draws one per export. */
  function station(site) {
    var k = PREFIX + site + ':station';
    var mark = null;
    try { mark = window.localStorage.getItem(k); } catch (e) { mark = null; }
    if (!/^[0-9a-f]{6}$/.test(mark || '')) {
      var b = crypto.getRandomValues(new Uint8Array(3));
      mark = Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
      try { window.localStorage.setItem(k, mark); } catch (e) { /* kept for this export only */ }
    }
    return mark;
  }

  /* appels-<site id>-<YYYYMMDD-HHMM>-<station>.<ext>, local time (the prefix is the string
   * call_export_file). */
  function fileName(prefix, site, ext, now) {
    return prefix + '-' + site + '-' + now.getFullYear() + pad(now.getMonth() + 1) + pad(now.getDate()) + '-' +
      pad(now.getHours()) + pad(now.getMinutes()) + '-' + station(site) + '.' + ext;
  }

  /* A download from file://: a Blob and an <a download> clicked (no network, no navigation). */
  function download(doc, name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = doc.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    doc.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(url);
      a.remove();
    }, 1000);
  }

  /* ---------- confirmation dialog, copy ---------- */

  /* An in-page modal dialog (not window.confirm): o = {title, body, choices: [{value, text, primary}],
   * cancel}. Resolves to the value chosen, 'cancel' for Cancel or Escape; focus returns to where it was. */
  function confirm(cx, o) {
    var doc = cx.doc;
    var h = cx.h;
    var back = doc.activeElement;
    return new Promise(function (resolve) {
      var cancel = h('button', { class: 'lb-btn', type: 'button', 'data-value': 'cancel', text: o.cancel });
      var dialog = h('dialog', { class: 'lb-dialog', id: 'lb-dialog', 'aria-labelledby': 'lb-dialog-title', 'aria-describedby': 'lb-dialog-body' },
        h('h2', { class: 'lb-dialog-title', id: 'lb-dialog-title', text: o.title }),
        h('p', { class: 'lb-dialog-body', id: 'lb-dialog-body', text: o.body }),
        h('p', { class: 'lb-dialog-actions' }, o.choices.map(function (c) {
          return h('button', { class: 'lb-btn' + (c.primary ? ' lb-btn-primary' : ''), type: 'button', 'data-value': c.value, text: c.text });
        }), cancel));
      var done = false;
      function close(value) {
        if (done) return;
        done = true;
        if (dialog.open && dialog.close) dialog.close();
        dialog.remove();
        if (back && back.isConnected && back.focus) back.focus();
        resolve(value);
      }
      dialog.addEventListener('click', function (e) {
        var b = e.target.closest && e.target.closest('button[data-value]');
        if (b) close(b.getAttribute('data-value'));
      });
      dialog.addEventListener('cancel', function (e) {
        e.preventDefault();
        close('cancel');
      });
      dialog.addEventListener('keydown', function (e) {
        if (e.key === 'Escape') {
          e.preventDefault();
          close('cancel');
        }
      });
      doc.body.appendChild(dialog);
      if (dialog.showModal) dialog.showModal();
      else dialog.setAttribute('open', '');
      cancel.focus();
    });
  }

  /* Copies `area`'s text: the clipboard API where the browser allows it, else the text area selected and
   * the copy command. done('copied') or done('manual') (the text is left selected for Ctrl+C). */
  function copy(doc, area, button, done) {
    function fallback() {
      area.focus();
      area.select();
      var ok = false;
      try {
        ok = doc.execCommand('copy');
      } catch (e) {
        ok = false;
      }
      if (ok && button) button.focus();
      done(ok ? 'copied' : 'manual');
    }
    var clip = window.navigator.clipboard;
    if (clip && clip.writeText && window.isSecureContext !== false) clip.writeText(area.value).then(function () { done('copied'); }, fallback);
    else fallback();
  }

  /* ---------- the call log view (#/~calls, #/~calls/<id>) ---------- */

  /* m: {records() (newest first, unsaved ones marked), log, locked, usable, aside, purged, noteText(r),
   * time(iso), exportAs(kind), clear(), copyNote(area, button, status)}. */
  function view(cx, m, id) {
    var h = cx.h;
    var S = cx.S;
    var list = m.records();
    var nav = h('nav', { class: 'lb-controls', 'aria-label': S('controls_label') },
      cx.btn('#/', S('home')), id ? cx.btn('#/~calls', S('call_log_back')) : null);
    if (id) {
      var r = list.filter(function (x) { return x.id === id; })[0];
      if (!r) return null;
      var title = S('call_record_title', { time: m.time(r.ended) });
      var area = h('textarea', { class: 'lb-call-note', id: 'lb-record-note', readonly: true, rows: 14 });
      area.value = m.noteText(r);
      var said = h('p', { class: 'lb-call-status', id: 'lb-record-status', role: 'status' });
      var copyBtn = h('button', { class: 'lb-btn lb-btn-primary', type: 'button', id: 'lb-record-copy', text: S('call_copy') });
      copyBtn.addEventListener('click', function () { m.copyNote(area, copyBtn, said); });
      return {
        parts: [nav, h('p', { class: 'lb-kicker', text: S('call_log') }), cx.heading('h1', title),
          h('p', { class: 'lb-desc', text: r.entry_title || r.entry || '' }),
          h('label', { class: 'lb-field-label', for: 'lb-record-note', text: S('call_note_label') }), area,
          h('p', { class: 'lb-call-actions' }, copyBtn), said],
        title: title,
        docTitle: title + ' — ' + cx.baseTitle
      };
    }
    var parts = [nav, h('p', { class: 'lb-kicker', text: (cx.data.site && cx.data.site.name) || '' }), cx.heading('h1', S('call_log'))];
    if (!m.log) {
      parts.push(h('p', { class: 'lb-desc', id: 'lb-calls-off', text: S('call_log_disabled') }));
      return { parts: parts, title: S('call_log'), docTitle: S('call_log') + ' — ' + cx.baseTitle };
    }
    var days = m.keepDays;
    parts.push(h('p', { class: 'lb-desc', text: S('call_log_intro', { days: days }) }));
    if (m.locked) parts.push(h('p', { class: 'lb-desc', text: m.usable ? S('call_log_locked') : S('call_log_no_key') }));
    if (m.drop) parts.push(h('p', { class: 'lb-call-drop' }, S('call_log_drop') + ' ', h('code', { text: m.drop })));
    if (m.purged) parts.push(h('p', { class: 'lb-call-note-line', text: (m.purged === 1 ? S('call_log_purged_one', { n: m.purged, days: days }) : S('call_log_purged', { n: m.purged, days: days })) }));
    if (m.aside) parts.push(h('p', { class: 'lb-call-note-line', text: S('call_log_unreadable', { days: days }) }));
    var status = h('p', { class: 'lb-call-status', id: 'lb-calls-status', role: 'status' });
    function action(kind, text) {
      var b = h('button', { class: 'lb-btn' + (kind === 'csv' ? ' lb-btn-primary' : ''), type: 'button', id: 'lb-calls-' + kind, text: text });
      b.disabled = !list.length;
      b.addEventListener('click', function () {
        if (kind === 'clear') m.clear(status);
        else status.textContent = S('call_log_exported', { file: m.exportAs(kind) });
      });
      return b;
    }
    parts.push(h('p', { class: 'lb-desc', id: 'lb-calls-count', text: list.length === 1 ? S('call_log_count_one') : S('call_log_count', { n: list.length }) }));
    parts.push(h('p', { class: 'lb-call-actions' }, action('csv', S('call_log_export_csv')), action('json', S('call_log_export_json')), action('clear', S('call_log_clear'))));
    parts.push(status);
    if (!list.length) parts.push(h('p', { class: 'lb-empty', text: S('call_log_empty') }));
    else parts.push(h('ol', { class: 'lb-call-records', id: 'lb-call-records' }, list.map(function (r) {
      var heads = [m.time(r.ended), r.entry_title || r.entry || ''];
      var facts = Object.keys(r.fields || {}).slice(0, 3).map(function (k) { return r.fields[k]; });
      return h('li', { class: 'lb-call-record', 'data-id': r.id },
        h('h2', { class: 'lb-call-record-title', text: heads.join(' — ') }),
        r.end ? h('p', { class: 'lb-call-record-end', text: S('call_record_end', { end: r.end }) }) : null,
        facts.length ? h('p', { class: 'lb-call-record-facts', text: facts.join(' · ') }) : null,
        r.unsaved ? h('p', { class: 'lb-call-record-unsaved', text: S('call_record_unsaved') }) : null,
        h('a', { class: 'lb-btn', href: '#/~calls/' + encodeURIComponent(r.id), 'aria-label': S('call_log_open_label', { time: m.time(r.ended) }), text: S('call_log_open') }));
    })));
    return { parts: parts, title: S('call_log'), docTitle: S('call_log') + ' — ' + cx.baseTitle };
  }

  return {
    store: store,
    recent: recent,
    pathText: pathText,
    csv: csv,
    json: json,
    fileName: fileName,
    download: download,
    confirm: confirm,
    copy: copy,
    view: view,
    toB64: toB64
  };
})();
