/* Lifeboat payloads: #lb-data and #lb-more of an open entry point hold JSON packed with zlib (DEFLATE),
 * then base64 (src/inline/mod.rs, docs/viewer-contract.md); a locked entry point's public facts, and a
 * payload written by a build before packing, are plain JSON. `lbUnpack(text, done)` calls `done` with the
 * parsed value, or null when the text is damaged or the browser cannot unpack it: plain JSON at once,
 * packed JSON once the browser's DecompressionStream has inflated it. `lbUnpack.supported()` tells
 * whether this browser can unpack at all (Chromium 80+, Firefox 113+, Safari 16.4+). */
function lbUnpack(text, done) {
  'use strict';
  text = String(text || '').trim();
  var value = null;
  if (text.charAt(0) === '{') {
    try { value = JSON.parse(text); } catch (e) { value = null; }
    return done(value);
  }
  var inflated;
  try {
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    inflated = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'))).text();
  } catch (e) {
    return done(null);
  }
  inflated.then(function (json) { value = JSON.parse(json); }).then(function () { done(value); }, function () { done(null); });
}

lbUnpack.supported = function () {
  'use strict';
  try {
    return typeof DecompressionStream === 'function' && !!new DecompressionStream('deflate');
  } catch (e) {
    return false;
  }
};

/* `lbLater(id, done)`: a payload element that follows the viewer script (#lb-nodes, #lb-more), unpacked
 * once the browser has read it to its end (an element with nothing after it yet may still be being read;
 * looked at again at once, then every 30 ms while the page loads): `done(value)`, `done(null)` when it is damaged, and
 * `done(undefined)` at once when the file has no such element. */
function lbLater(id, done, tries) {
  'use strict';
  var el = document.getElementById(id);
  if (document.readyState === 'loading' && !(el && el.nextSibling)) {
    // At once first: #lb-nodes follows the viewer script, so the parser has usually read it by then.
    setTimeout(function () { lbLater(id, done, (tries || 0) + 1); }, tries ? 30 : 0);
  } else if (!el) {
    done(undefined);
  } else {
    lbUnpack(el.textContent, done);
  }
}
