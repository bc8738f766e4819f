'use strict';
// The key-slot format (docs/viewer-contract.md, src/access/slots.rs) and the key identifiers of the
// manifest (src/access/key_id.rs), checked with an implementation independent of both the build's
// (RustCrypto) and the viewer's (unlock.js): Node's OpenSSL-backed `node:crypto` (pbkdf2Sync, createHmac,
// createDecipheriv aes-256-gcm). No browser. On $LIFEBOAT_KEYGROUPS_DIST (tests/fixtures/key-groups),
// keys in $LIFEBOAT_KEYGROUPS_KEYS.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const DIST = process.env.LIFEBOAT_KEYGROUPS_DIST;
const KEYS = JSON.parse(process.env.LIFEBOAT_KEYGROUPS_KEYS || '{}');
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The 26 data symbols a key derivation reads (src/key.rs `canonical`). */
function canonical(key) {
  return key.replace(/[-\s]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1').slice(0, 26);
}

function element(file) {
  const html = fs.readFileSync(file, 'utf8');
  const m = /<script type="application\/octet-stream" id="lb-locked"([^>]*)>([^<]*)<\/script>/.exec(html);
  assert.ok(m, `${file}: no #lb-locked`);
  const attrs = {};
  for (const a of m[1].matchAll(/data-([a-z-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
  return { attrs, ct: Buffer.from(m[2], 'base64') };
}

function gcmOpen(key, nonce, sealed, aad) {
  const d = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

/** The slot names `key` opens in entry `id`'s file, and the plaintext. */
function openWith(key, id) {
  const { attrs, ct } = element(path.join(DIST, `${id}.html`));
  assert.equal(attrs.v, '2');
  assert.equal(attrs.wrap, 'AES-GCM');
  const kek = crypto.pbkdf2Sync(canonical(key), Buffer.from(attrs.salt, 'base64'), Number(attrs.iterations), 32, 'sha256');
  const opened = [];
  let plain = null;
  for (const slot of attrs.slots.split(' ')) {
    const [name, b64] = slot.split(':');
    const bytes = Buffer.from(b64, 'base64');
    assert.equal(bytes.length, 60, 'nonce, wrapped key, tag');
    let contentKey;
    try {
      contentKey = gcmOpen(kek, bytes.subarray(0, 12), bytes.subarray(12), `lifeboat-slot:v2:${id}:${name}`);
    } catch (e) {
      continue;
    }
    opened.push(name);
    plain = gcmOpen(contentKey, Buffer.from(attrs.nonce, 'base64'), ct, `lifeboat-locked:v2:${id}`);
  }
  return { opened, plain, slots: attrs.slots.split(' ').map((s) => s.split(':')[0]) };
}

/** src/access/key_id.rs: HMAC-SHA256(PBKDF2(key, "lifeboat-key-id:v1", 600000), "lifeboat-key-id:v1:" + id), 8 bytes. */
function keyId(key, id) {
  const kid = crypto.pbkdf2Sync(canonical(key), 'lifeboat-key-id:v1', 600000, 32, 'sha256');
  return crypto.createHmac('sha256', kid).update(`lifeboat-key-id:v1:${id}`).digest('hex').slice(0, 16);
}

describe('key slots, with node:crypto', { skip: !DIST && 'LIFEBOAT_KEYGROUPS_DIST is not set' }, () => {
  it('the canonical form matches the alphabet', () => {
    for (const k of Object.values(KEYS)) assert.ok([...canonical(k)].every((c) => ALPHABET.includes(c)), k);
  });

  for (const [id, slots, secret] of [
    ['factures', ['facturation', 'direction', 'recovery'], 'GIRAFE-318'],
    ['fraude', ['fraude', 'direction', 'recovery'], 'LOUTRE-655'],
  ]) {
    it(`${id}.html: one slot per allowed key, each opening with that key only`, () => {
      for (const name of ['facturation', 'fraude', 'direction', 'recovery', 'facturation_new']) {
        const r = openWith(KEYS[name], id);
        assert.deepEqual(r.slots, slots);
        if (slots.includes(name)) {
          assert.deepEqual(r.opened, [name], `${name} opens its own slot only`);
          const out = JSON.parse(r.plain.toString('utf8'));
          assert.ok(Array.isArray(out.data.diagrams) && out.data.diagrams.length === 1);
          assert.ok(JSON.stringify(out).includes(secret));
        } else {
          assert.deepEqual(r.opened, [], `${name} opens no slot`);
        }
      }
    });
  }

  it('the manifest records each slot\'s group and key identifier, as node:crypto computes it', () => {
    const manifest = fs.readFileSync(path.join(DIST, 'bcp-manifest.toml'), 'utf8');
    for (const [id, groups] of [['factures', ['facturation', 'direction', 'recovery']], ['fraude', ['fraude', 'direction', 'recovery']]]) {
      const at = manifest.indexOf(`id = "${id}"`);
      const next = manifest.indexOf('[[entries]]', at);
      const record = manifest.slice(at, next < 0 ? undefined : next);
      const slots = [...record.matchAll(/group = "([^"]+)"\nkey_id = "([0-9a-f]{16})"/g)].map((m) => [m[1], m[2]]);
      assert.deepEqual(slots, groups.map((g) => [g, keyId(KEYS[g], id)]), record);
      assert.ok(!/^key_id = /m.test(record.split('[[entries.key_slots]]')[0]), 'no implicit-group key_id');
    }
  });
});
