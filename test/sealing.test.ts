import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seal, sealingKey, unseal } from '../src/util/sealing.ts';

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
});
