import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCredentialHeader } from '../src/relay/credential-headers.ts';

test('credential headers are told from the rest by name', () => {
  const credentials = [
    'authorization',
    'proxy-authorization',
    'cookie',
    'x-gitlab-token',
    'x-api-key',
    'x-auth-token',
    'x-authorization',
    'x-authentication',
    'x-csrftoken',
    'x-hook-secret',
    'x-goog-channel-token',
    'ocp-apim-subscription-key',
    'x-session-id',
  ];
  const others = [
    'content-type',
    'x-github-event',
    'x-hub-signature-256',
    'stripe-signature',
    'x-request-id',
  ];
  for (const name of credentials) assert.equal(isCredentialHeader(name), true, name);
  for (const name of others) assert.equal(isCredentialHeader(name), false, name);
  assert.equal(isCredentialHeader('x-tenant', ['x-tenant']), true, 'a route can name more');
});
