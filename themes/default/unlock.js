/* Lifeboat start-up: reads the payload in #lb-data (lbUnpack, payload.js) and starts the viewer (lbViewer, viewer.js). A locked
 * entry point's payload holds only public facts (`locked: true`); the procedures and images are sealed in
 * #lb-locked (AES-256-GCM, key from PBKDF2-HMAC-SHA256 of the access key, or, in format 2, a content key
 * wrapped in one slot per key group; every parameter in the element's attributes). This asks for the key,
 * checks its check symbol, derives the key with WebCrypto, tells a wrong key (data-key-check differs, or no
 * slot opens) from a damaged file (GCM tag fails), then starts the viewer with the
 * decrypted payload and images (and, when it has a call assistant, the key of its stored calls). Same key
 * rules as src/access/key.rs; see docs/viewer-contract.md and docs/call-assistant.md. */
(function () {
  'use strict';

  var doc = document;
  var ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  var CHECK_EXTRA = '*~$=U';
  var SYMBOLS = 26;
  var CHECK_LABEL = 'lifeboat-key-check:v1:';
  var CALL_SALT = 'lifeboat-call-log:v1:';

  function byId(id) {
    return doc.getElementById(id);
  }

  // A user theme's own viewer.js may start itself (no lbViewer): then there is nothing to do here.
  if (typeof lbViewer !== 'function') return;

  var payload = byId('lb-data');
  function fail() {
    // A packed payload this browser cannot unpack is not a damaged file: say what to do instead.
    var packed = payload && String(payload.textContent).trim().charAt(0) !== '{';
    var tooOld = packed && typeof lbUnpack === 'function' && !lbUnpack.supported() && byId('lb-old-browser');
    var fatal = tooOld || byId('lb-fatal');
    if (fatal) fatal.hidden = false;
  }
  // A user theme's payload.js that defines no lbUnpack: an error on the page, not a blank one.
  if (typeof lbUnpack !== 'function') return fail();
  lbUnpack(payload && payload.textContent, function (data) {
    if (!data || !data.entry) {
      fail();
    } else if (data.locked) {
      locked(data);
    } else {
      lbViewer(data, null);
    }
  });

  /* A locked entry point: `data` holds only its public facts. */
  function locked(data) {
    var strings = data.strings || {};
    function S(key, vars) {
      var s = Object.prototype.hasOwnProperty.call(strings, key) ? String(strings[key]) : key;
      return vars ? s.replace(/\{(\w+)\}/g, function (m, n) { return n in vars ? String(vars[n]) : m; }) : s;
    }

    function h(tag, props, children) {
      var e = doc.createElement(tag);
      Object.keys(props || {}).forEach(function (k) {
        if (k === 'class') e.className = props[k];
        else if (k === 'text') e.textContent = props[k];
        else if (props[k] !== null && props[k] !== false) e.setAttribute(k, props[k] === true ? '' : props[k]);
      });
      (children || []).forEach(function (c) { if (c) e.appendChild(c); });
      return e;
    }

    /* ---------- the key, read as key.rs reads it ---------- */

    function dataValue(c) {
      c = c.replace(/[a-z]/, function (x) { return x.toUpperCase(); });
      if (c === 'O') c = '0';
      else if (c === 'I' || c === 'L') c = '1';
      return c.length === 1 ? ALPHABET.indexOf(c) : -1;
    }

    function checkValue(c) {
      var v = dataValue(c);
      if (v >= 0) return v;
      var x = CHECK_EXTRA.indexOf(c.toUpperCase());
      return c.length === 1 && x >= 0 ? x + 32 : -1;
    }

    /* { canonical } for a well-formed key, else { error } (a message): nothing is decrypted for a typo. */
    function parseKey(text) {
      var symbols = Array.from(text).filter(function (c) { return !/^[\s\u0085\-\u2010-\u2015]$/.test(c); });
      if (!symbols.length) return { error: S('locked_error_empty') };
      if (symbols.length !== SYMBOLS + 1) return { error: S('locked_error_length', { n: symbols.length }) };
      var canonical = '';
      var rem = 0;
      for (var i = 0; i < SYMBOLS; i++) {
        var v = dataValue(symbols[i]);
        if (v < 0) return { error: S('locked_error_symbol', { c: symbols[i] }) };
        canonical += ALPHABET.charAt(v);
        rem = (rem * 32 + v) % 37;
      }
      var check = checkValue(symbols[SYMBOLS]);
      if (check < 0) return { error: S('locked_error_symbol', { c: symbols[SYMBOLS] }) };
      if (check !== rem) return { error: S('locked_error_check') };
      return { canonical: canonical };
    }

    /* ---------- the sealed element ---------- */

    function fromB64(s) {
      var bin = atob(String(s).replace(/\s+/g, ''));
      var out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    }

    function toB64(buf) {
      var bytes = new Uint8Array(buf);
      var bin = '';
      for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
      return btoa(bin);
    }

    function utf8(s) {
      return new TextEncoder().encode(s);
    }

    function failure(code) {
      var e = new Error(code);
      e.code = code;
      return e;
    }

    /* The parameters travel with the ciphertext, so a later build can raise them and this follows. Format 1:
     * one access key, the derived key opens the payload (data-key-check tells a wrong key). Format 2: the
     * payload has a random content key, wrapped once per key that opens it in `data-slots` (AES-GCM under
     * each key's derived key; one salt for all slots, so one PBKDF2 per typed key, then one try per slot). */
    function sealed() {
      var el = byId('lb-locked');
      if (!el) throw failure('damaged');
      function a(name) { return el.getAttribute('data-' + name) || ''; }
      var v = a('v');
      if ((v !== '1' && v !== '2') || a('kdf') !== 'PBKDF2' || a('cipher') !== 'AES-GCM') throw failure('format');
      if (v === '2' && a('wrap') !== 'AES-GCM') throw failure('format');
      var p = {
        v: v,
        hash: a('hash') || 'SHA-256',
        iterations: Number(a('iterations')),
        bits: Number(a('key-bits')) || 256,
        saltText: a('salt'),
        check: a('key-check')
      };
      if (!(p.iterations >= 1) || [128, 192, 256].indexOf(p.bits) < 0) throw failure('format');
      // What "stay unlocked" compares: another build (or, in format 2, another file of it) has another.
      p.mark = v === '1' ? p.saltText : p.saltText + '/' + a('nonce');
      try {
        p.salt = fromB64(p.saltText);
        p.nonce = fromB64(a('nonce'));
        p.ct = fromB64(el.textContent);
        p.slots = v === '2' ? a('slots').split(/\s+/).filter(Boolean).map(function (s) {
          var at = s.indexOf(':');
          if (at < 1) throw failure('damaged');
          var bytes = fromB64(s.slice(at + 1));
          return { name: s.slice(0, at), nonce: bytes.slice(0, 12), wrapped: bytes.slice(12) };
        }) : [];
      } catch (e) {
        throw failure('damaged');
      }
      return p;
    }

    function derive(canonical, p) {
      var subtle = window.crypto.subtle;
      return subtle.importKey('raw', utf8(canonical), 'PBKDF2', false, ['deriveBits']).then(function (base) {
        return subtle.deriveBits({ name: 'PBKDF2', hash: p.hash, salt: p.salt, iterations: p.iterations }, base, p.bits);
      });
    }

    /* The payload key from a typed key's derived bits: format 1, the bits themselves once the key check
     * matches; format 2, the content key of the first slot they open. 'wrong' when neither. */
    function payloadKey(bits, p) {
      var subtle = window.crypto.subtle;
      if (p.v === '1') {
        var label = utf8(CHECK_LABEL);
        var checked = new Uint8Array(label.length + bits.byteLength);
        checked.set(label, 0);
        checked.set(new Uint8Array(bits), label.length);
        return subtle.digest('SHA-256', checked).then(function (digest) {
          if (toB64(digest) !== p.check) throw failure('wrong');
          return bits;
        });
      }
      return subtle.importKey('raw', bits, 'AES-GCM', false, ['decrypt']).then(function (kek) {
        function next(i) {
          if (i >= p.slots.length) return Promise.reject(failure('wrong'));
          var slot = p.slots[i];
          var aad = utf8('lifeboat-slot:v2:' + data.entry.id + ':' + slot.name);
          return subtle.decrypt({ name: 'AES-GCM', iv: slot.nonce, additionalData: aad, tagLength: 128 }, kek, slot.wrapped)
            .then(function (key) {
              if (key.byteLength !== 32) throw failure('damaged');
              return key;
            }, function () { return next(i + 1); });
        }
        return next(0);
      });
    }

    /* Opens the sealed payload with its key's bits (imported at once as a non-extractable key): 'damaged'
     * when the GCM tag (or what it protects) does not hold. Resolves to the decrypted { data, images }. */
    function openWith(bits, p) {
      var subtle = window.crypto.subtle;
      return subtle.importKey('raw', bits, 'AES-GCM', false, ['decrypt']).then(function (key) {
        var aad = utf8('lifeboat-locked:v' + p.v + ':' + data.entry.id);
        return subtle.decrypt({ name: 'AES-GCM', iv: p.nonce, additionalData: aad, tagLength: 128 }, key, p.ct)
          .catch(function () { throw failure('damaged'); });
      }).then(function (plain) {
        var out;
        try {
          out = JSON.parse(new TextDecoder().decode(plain));
        } catch (e) {
          throw failure('damaged');
        }
        if (!out || !out.data || !Array.isArray(out.data.diagrams)) throw failure('damaged');
        return out;
      });
    }

    /* The key of this entry point's stored calls (call.js, calllog.js): HKDF-SHA-256 of the access key's
     * 26 data symbols (the PBKDF2 password), salt `lifeboat-call-log:v1:<site id>`, info the entry id. It
     * does not depend on this build's salt, so a newer copy opened with the same key reads the same log. */
    function callBits(canonical, out) {
      var subtle = window.crypto.subtle;
      return subtle.importKey('raw', utf8(canonical), 'HKDF', false, ['deriveBits']).then(function (base) {
        return subtle.deriveBits({
          name: 'HKDF', hash: 'SHA-256', salt: utf8(CALL_SALT + out.data.call.site), info: utf8(data.entry.id)
        }, base, 256);
      });
    }

    function whenParsed(fn) {
      if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', fn, { once: true });
      else fn();
    }

    /* ---------- remembered for this tab: the payload key of this file (never the access key) ---------- */

    var storeKey = 'lifeboat:unlock:' + (data.bundle || data.entry.id);

    function remembered() {
      try {
        var v = JSON.parse(window.sessionStorage.getItem(storeKey) || 'null');
        return v && typeof v.salt === 'string' && typeof v.key === 'string' ? v : null;
      } catch (e) {
        return null;
      }
    }

    function remember(on, p, bits, call) {
      try {
        var v = { salt: p.mark, key: toB64(bits), call: call ? toB64(call) : undefined };
        if (on) window.sessionStorage.setItem(storeKey, JSON.stringify(v));
        else window.sessionStorage.removeItem(storeKey);
      } catch (e) {
        /* storage unavailable: the key is asked again next time */
      }
    }

    /* ---------- the prompt ---------- */

    var root = doc.documentElement;
    var view = byId('lb-view');
    var search = doc.querySelector('.lb-search');
    root.classList.add('lb-js', 'lb-locked');
    if (search) search.hidden = true;

    function start(out, interactive) {
      var entry = out.data.entry;
      var brand = doc.querySelector('.lb-brand-entry');
      if (brand) brand.textContent = entry.title || '';
      doc.title = (entry.title || '') + ' — ' + ((out.data.site && out.data.site.name) || '');
      root.classList.remove('lb-locked');
      if (search) search.hidden = false;
      lbViewer(out.data, out.images || {}, out.call || null);
      var heading = byId('lb-heading');
      if (interactive && heading) heading.focus();
    }

    var title = data.entry.title || S('locked_title');
    var intro = h('p', { class: 'lb-desc', id: 'lb-unlock-intro', text: S('locked_intro') });
    // Whom to ask (entry.toml `key_holders`, public: the manifest and the contingency document list them).
    function textList(list) {
      return (Array.isArray(list) ? list : []).filter(function (x) { return typeof x === 'string' && x; });
    }
    var holders = textList(data.entry.key_holders);
    // The key groups whose keys open it (site.toml labels): "Clé du groupe Facturation ou Direction".
    var groups = textList(data.entry.key_groups).join(S('locked_groups_or'));
    var error = h('div', { class: 'lb-unlock-error', id: 'lb-unlock-error', role: 'alert' });
    view.textContent = '';
    [h('p', { class: 'lb-kicker' }, [h('span', { class: 'lb-lock', 'aria-hidden': 'true' }), doc.createTextNode(S('locked_kicker'))]),
      h('h1', { class: 'lb-heading', id: 'lb-heading', tabindex: '-1', text: title }),
      intro,
      groups ? h('p', { class: 'lb-key-groups', id: 'lb-key-groups', text: S('locked_groups', { groups: groups }) }) : null,
      holders.length ? h('p', { class: 'lb-key-holders', id: 'lb-key-holders', text: S('locked_holders', { holders: holders.join(', ') }) }) : null
    ].forEach(function (e) { if (e) view.appendChild(e); });
    view.setAttribute('data-view', 'locked');

    if (!(window.crypto && window.crypto.subtle && window.TextEncoder && window.TextDecoder)) {
      error.textContent = S('locked_no_crypto');
      view.appendChild(error);
      return;
    }

    var input = h('input', {
      class: 'lb-key-input', id: 'lb-key', type: 'password', autocomplete: 'off', autocapitalize: 'characters',
      spellcheck: 'false', 'aria-describedby': (groups ? 'lb-key-groups ' : '') + 'lb-key-hint lb-unlock-error'
    });
    var toggle = h('button', {
      class: 'lb-btn lb-key-show', id: 'lb-key-show', type: 'button', 'aria-pressed': 'false',
      'aria-controls': 'lb-key', text: S('locked_show')
    });
    // On by default: a cross-link to another file of the copy and Back do not ask again in this tab.
    var rememberBox = h('input', { type: 'checkbox', id: 'lb-remember', checked: true, 'aria-describedby': 'lb-remember-how' });
    var submit = h('button', { class: 'lb-btn lb-btn-primary', id: 'lb-unlock-submit', type: 'submit', text: S('locked_submit') });
    var status = h('p', { class: 'lb-unlock-status', id: 'lb-unlock-status', role: 'status' });
    var form = h('form', { class: 'lb-unlock', id: 'lb-unlock', novalidate: true, 'aria-labelledby': 'lb-heading' }, [
      h('label', { class: 'lb-key-label', for: 'lb-key', text: S('locked_key_label') }),
      h('p', { class: 'lb-key-hint', id: 'lb-key-hint', text: S('locked_key_hint') }),
      h('div', { class: 'lb-key-row' }, [input, toggle]),
      h('p', { class: 'lb-remember' }, [rememberBox, h('label', { for: 'lb-remember', text: ' ' + S('locked_remember') })]),
      h('p', { class: 'lb-key-hint', id: 'lb-remember-how', text: S('locked_remember_how') }),
      h('p', { class: 'lb-unlock-actions' }, [submit]),
      status,
      error
    ]);
    view.appendChild(form);

    var busy = false;
    var failures = 0;

    function showError(text) {
      error.textContent = text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }

    /* After a wrong key, the next try waits longer each time (2 s, 4 s, … up to 30 s). */
    function slowDown() {
      failures += 1;
      var left = Math.min(30, 2 * failures);
      submit.disabled = true;
      (function tick() {
        if (left <= 0) {
          submit.disabled = false;
          status.textContent = '';
          busy = false;
          return;
        }
        status.textContent = S('locked_wait', { s: left });
        left -= 1;
        setTimeout(tick, 1000);
      })();
    }

    /* getBits(p): the payload key's bits (from a typed key, or remembered); getCall(out): the stored calls'
     * key bits, asked for only when the payload has a call assistant. */
    function attempt(getBits, interactive, getCall) {
      var p;
      try {
        p = sealed();
      } catch (e) {
        return Promise.reject(e);
      }
      var bits;
      var call = null;
      return getBits(p).then(function (b) {
        bits = b;
        return openWith(bits, p);
      }).then(function (out) {
        if (!out.data.call) return out;
        return getCall(out).then(function (c) {
          call = c;
          return window.crypto.subtle.importKey('raw', c, 'AES-GCM', false, ['encrypt', 'decrypt']);
        }).then(function (key) {
          out.call = { key: key };
          return out;
        });
      }).then(function (out) {
        if (interactive) remember(rememberBox.checked, p, bits, call);
        return out;
      });
    }

    toggle.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
    });

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (busy) return;
      var key = parseKey(input.value);
      if (key.error) {
        showError(key.error);
        input.focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      showError('');
      status.textContent = S('locked_working');
      whenParsed(function () {
        attempt(function (p) {
          return derive(key.canonical, p).then(function (bits) { return payloadKey(bits, p); });
        }, true, function (out) {
          return callBits(key.canonical, out);
        }).then(function (out) {
          start(out, true);
        }, function (err) {
          var code = err && err.code;
          var wrong = groups ? S('locked_error_wrong_groups', { groups: groups }) : S('locked_error_wrong');
          showError(code === 'wrong' ? wrong : S(code === 'format' ? 'locked_error_format' : 'locked_error_damaged'));
          status.textContent = '';
          if (code === 'wrong') {
            slowDown();
          } else {
            busy = false;
            submit.disabled = false;
          }
          input.focus();
          input.select();
        });
      });
    });

    var saved = remembered();
    if (saved) {
      busy = true;
      submit.disabled = true;
      status.textContent = S('locked_working');
      whenParsed(function () {
        attempt(function (p) {
          return p.mark === saved.salt ? Promise.resolve(fromB64(saved.key).buffer) : Promise.reject(failure('stale'));
        }, false, function () {
          // Remembered before the call assistant's key was: ask for the access key again.
          return typeof saved.call === 'string' ? Promise.resolve(fromB64(saved.call).buffer) : Promise.reject(failure('stale'));
        }).then(function (out) {
          start(out, false);
        }, function () {
          remember(false);
          busy = false;
          submit.disabled = false;
          status.textContent = '';
          input.focus();
        });
      });
    } else {
      input.focus();
    }
  }
})();
