import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAdminUsers } from '../src/auth/identity/admin-policy.ts';
import { gatehouseApiPolicy } from '../src/auth/identity/gatehouse-api-policy.ts';
import type { UpstreamIdentity } from '../src/auth/identity/identity.ts';
import { protectedCallback } from '../src/auth/route/protected-callback.ts';
import { firstPartyClients } from '../src/auth/server/first-party-clients.ts';
import { type Route, routeInput } from '../src/routes/route.ts';
import { RouteTable } from '../src/routes/route-table.ts';

const ISSUER = 'https://gatehouse.example.com';

function person(provider: string, login: string): UpstreamIdentity {
  return { provider, subject: `${login}-id`, login, orgs: [], teams: [], groups: [], claims: {} };
}

function route(id: string, fields: Record<string, unknown>): Route {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id,
    ...routeInput.parse({ target: 'http://127.0.0.1:1', ...fields }),
    createdAt: at,
    updatedAt: at,
  };
}

describe("Gatehouse's API as a resource", () => {
  const routes = async () => ({ audience: 'https://app.example.com', scopes: ['route'] });
  const policy = gatehouseApiPolicy(
    ISSUER,
    parseAdminUsers('github:root'),
    ['github:alice', 'github-org:acme'],
    routes,
  );
  const cases: [name: string, resource: string, who: UpstreamIdentity, expected: unknown][] = [
    [
      'an administrator gets admin and user',
      `${ISSUER}/api`,
      person('github', 'Root'),
      { audience: `${ISSUER}/api`, scopes: ['admin', 'user'] },
    ],
    [
      'a tunnel user gets user',
      `${ISSUER}/api/`,
      person('github', 'alice'),
      { audience: `${ISSUER}/api`, scopes: ['user'] },
    ],
    [
      'someone --tunnel-users leaves out is refused, with the setting named',
      `${ISSUER}/api`,
      person('gitlab', 'bob'),
      { denied: 'gitlab:bob may not log in to this Gatehouse (--tunnel-users)' },
    ],
    [
      'another resource is the routes’ to decide',
      'https://app.example.com',
      person('gitlab', 'bob'),
      { audience: 'https://app.example.com', scopes: ['route'] },
    ],
  ];
  for (const [name, resource, who, expected] of cases)
    test(name, async () => assert.deepEqual(await policy(new URL(resource), who), expected));

  test('the admin web app is for administrators only: anyone else is refused, with the setting named', async () => {
    const api = new URL(`${ISSUER}/api`);
    assert.deepEqual(await policy(api, person('github', 'Root'), 'gatehouse-admin'), {
      audience: `${ISSUER}/api`,
      scopes: ['admin', 'user'],
    });
    assert.deepEqual(await policy(api, person('github', 'alice'), 'gatehouse-admin'), {
      denied:
        'github:alice is not an administrator of this Gatehouse (--admin-users), so cannot sign in to its admin app',
    });
    // Other clients are as before: a tunnel user gets their own tunnels.
    assert.deepEqual(await policy(api, person('github', 'alice'), 'gatehouse-cli'), {
      audience: `${ISSUER}/api`,
      scopes: ['user'],
    });
  });
});

describe('where the edge client may be sent back with a code', () => {
  const table = new RouteTable([
    route('open', { host: 'open.example.com' }),
    route('app', { host: 'app.example.com', auth: { allow: ['*'] } }),
    route('admin', { host: 'app.example.com', path: '/admin', auth: { allow: ['github:root'] } }),
  ]);
  const cases: [uri: string, allowed: boolean][] = [
    [`${ISSUER}/.gatehouse/callback`, true],
    ['https://app.example.com/.gatehouse/callback', true],
    ['https://app.example.com/admin/.gatehouse/callback', true],
    ['https://open.example.com/.gatehouse/callback', false],
    ['http://app.example.com/.gatehouse/callback', false],
    ['https://app.example.com/.gatehouse/callback?next=x', false],
    ['https://app.example.com/.gatehouse/callback#x', false],
    ['https://app.example.com/elsewhere', false],
    ['https://unknown.example.com/.gatehouse/callback', false],
    [`${ISSUER}/other/.gatehouse/callback`, false],
    ['not a url', false],
  ];
  for (const [uri, allowed] of cases)
    test(`${uri} → ${allowed}`, () => assert.equal(protectedCallback(table, ISSUER, uri), allowed));
});

test('first-party clients: the admin app is public on the code flow, back to itself, its origins answered', () => {
  const home = 'https://gatehouse.example.com/ui/';
  const clients = firstPartyClients(ISSUER, 'edge-secret', () => false, {
    home,
    allowed: (uri) => uri === home || uri === 'http://localhost:8080/ui/',
    path: '/ui/',
  });
  const app = clients.find((c) => c.metadata.client_id === 'gatehouse-admin');
  assert.equal(app?.metadata.token_endpoint_auth_method, 'none');
  assert.equal(app?.metadata.client_secret, undefined);
  assert.deepEqual(app?.metadata.grant_types, ['authorization_code', 'refresh_token']);
  assert.deepEqual(app?.metadata.redirect_uris, [home]);
  assert.equal(app?.redirectAllowed?.('http://localhost:8080/ui/'), true);
  assert.equal(app?.redirectAllowed?.('http://localhost:8080/'), false);
  assert.equal(app?.originAllowed?.('http://localhost:8080'), true);
  assert.equal(app?.originAllowed?.('https://gatehouse.example.com'), true);
  assert.equal(app?.originAllowed?.('https://evil.example.com'), false);
  // Without the app's addresses there is no such client.
  assert.equal(
    firstPartyClients(ISSUER, 'edge-secret', () => false).some(
      (c) => c.metadata.client_id === 'gatehouse-admin',
    ),
    false,
  );
});

test('first-party clients: the edge client is confidential with the issuer callback, the CLI public on the device flow', () => {
  const [edge, cli] = firstPartyClients(ISSUER, 'edge-secret', (uri) => uri.startsWith('https://app.'));
  assert.equal(edge?.metadata.client_secret, 'edge-secret');
  assert.deepEqual(edge?.metadata.redirect_uris, [`${ISSUER}/.gatehouse/callback`]);
  assert.equal(edge?.redirectAllowed?.('https://app.example.com/.gatehouse/callback'), true);
  assert.equal(edge?.redirectAllowed?.('https://evil.example.com/.gatehouse/callback'), false);
  assert.equal(cli?.metadata.token_endpoint_auth_method, 'none');
  assert.equal(cli?.metadata.client_secret, undefined);
  assert.deepEqual(cli?.metadata.grant_types, [
    'urn:ietf:params:oauth:grant-type:device_code',
    'refresh_token',
  ]);
});
