import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seal, sealingKey, unseal } from '../src/core/sealing.ts';
import { loadOrCreateSecretKey, parseSecretKey, SECRET_KEY_FILE } from '../src/core/secret-key.ts';

const key = sealingKey('a long enough secret for tests', 'salt', 'purpose');

test('sealed text opens with its key and context only, and does not show the text', () => {
  const sealed = seal(key, 'refresh-token-123', 'account-1');
  assert.ok(!sealed.includes('refresh-token-123'));
  assert.equal(unseal(key, sealed, 'account-1'), 'refresh-token-123');
  assert.equal(unseal(key, sealed, 'account-2'), undefined);
  assert.equal(
    unseal(sealingKey('another secret entirely', 'salt', 'purpose'), sealed, 'account-1'),
    undefined,
  );
  assert.equal(
    unseal(sealingKey('a long enough secret for tests', 'salt', 'other'), sealed, 'account-1'),
    undefined,
  );
});

test('sealing twice gives different texts; an altered or malformed one does not open', () => {
  const a = seal(key, 'same');
  assert.notEqual(a, seal(key, 'same'));
  const parts = a.split('.');
  parts[2] = Buffer.from('tampered').toString('base64url');
  assert.equal(unseal(key, parts.join('.')), undefined);
  assert.equal(unseal(key, 'not sealed'), undefined);
  // A tag cut to 4 bytes is refused, though GCM on its own would check it.
  const cut = a.split('.');
  cut[3] = Buffer.from(cut[3]!, 'base64url').subarray(0, 4).toString('base64url');
  assert.equal(unseal(key, cut.join('.')), undefined);
});

test('a secret key is 32 bytes as hex or base64, or a passphrase through scrypt; a short one is refused', () => {
  const bytes = Buffer.alloc(32, 7);
  assert.deepEqual(parseSecretKey(bytes.toString('hex')), bytes);
  assert.deepEqual(parseSecretKey(bytes.toString('base64')), bytes);
  const phrase = parseSecretKey('correct horse battery staple');
  assert.equal(phrase.length, 32);
  assert.deepEqual(parseSecretKey('correct horse battery staple'), phrase);
  assert.throws(() => parseSecretKey('short'), /must be 32 bytes as 64 hex digits or base64/);
});

test('secret.key is made once (mode 0600) and kept; a damaged one is named, not replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-key-'));
  try {
    const first = loadOrCreateSecretKey(dir);
    assert.equal(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateSecretKey(dir), first);
    writeFileSync(join(dir, SECRET_KEY_FILE), 'oops');
    assert.throws(() => loadOrCreateSecretKey(dir), /does not hold a secret key: restore it, or delete it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
