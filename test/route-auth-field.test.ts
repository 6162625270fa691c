import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UpstreamIdentity } from '../src/auth/identity/identity.ts';
import type { ResourceGrant } from '../src/auth/identity/resource-policy.ts';
import { routeResourcePolicy } from '../src/auth/route/protected-routes.ts';
import { routeProviderCredentials, routeSecretsKey } from '../src/auth/route/route-secrets.ts';
import { loadOrCreateSecretKey } from '../src/core/secret-key.ts';
import type { Route } from '../src/routes/route.ts';
import { routeInput } from '../src/routes/route.ts';
import { RouteTable } from '../src/routes/route-table.ts';
import { RedisStore } from '../src/store/redis/redis-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/types.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';

const AUTH = {
  allow: ['github:alice', 'github-org:acme'],
  scopes: { user: ['*'], admin: ['github:alice'] },
  require: [{ path: '/admin', scopes: ['admin'] }],
  public: ['/health'],
  providers: { github: { clientId: 'Iv1.route-app', clientSecret: 'route-secret-123' } },
  login: ['github'],
};

describe('the auth field through the admin API', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const stored = async (id: string) =>
    (await gw.gateway.store.routes.get(id)) as Route & { auth: typeof AUTH };
  const key = () => routeSecretsKey(loadOrCreateSecretKey(gw.dataDir));

  test('a route’s client secret is stored sealed and never returned', async () => {
    const created = await gw.api('POST', '/api/v1/routes/', {
      host: 'sealed.test',
      target: 'http://127.0.0.1:9',
      auth: AUTH,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.auth.providers, {
      github: { clientId: 'Iv1.route-app', clientSecret: '(set)' },
    });
    const id = created.body.id;
    for (const res of [await gw.api('GET', `/api/v1/routes/${id}`), await gw.api('GET', '/api/v1/routes/')])
      assert.doesNotMatch(JSON.stringify(res.body), /route-secret-123|sealed:/);
    const record = await stored(id);
    assert.match(record.auth.providers.github.clientSecret, /^sealed:v1\./);
    assert.doesNotMatch(JSON.stringify(record), /route-secret-123/);
    assert.deepEqual(routeProviderCredentials(record, 'github', key()), {
      clientId: 'Iv1.route-app',
      clientSecret: 'route-secret-123',
    });
  });

  test('a route read from the API can be sent back whole: "(set)" keeps the stored secret', async () => {
    const { body: route } = await gw.api('POST', '/api/v1/routes/', {
      host: 'roundtrip.test',
      target: 'http://127.0.0.1:9',
      auth: AUTH,
    });
    const sealed = (await stored(route.id)).auth.providers.github.clientSecret;
    const back = await gw.api('PATCH', `/api/v1/routes/${route.id}`, {
      auth: { ...route.auth, allow: ['*'] },
    });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual(back.body.auth.allow, ['*']);
    assert.equal((await stored(route.id)).auth.providers.github.clientSecret, sealed);
    // A change elsewhere keeps it too.
    assert.equal((await gw.api('PATCH', `/api/v1/routes/${route.id}`, { priority: 3 })).status, 200);
    assert.equal((await stored(route.id)).auth.providers.github.clientSecret, sealed);
    // A new secret replaces it.
    const providers = { github: { clientId: 'Iv1.route-app', clientSecret: 'rotated-456' } };
    assert.equal(
      (await gw.api('PATCH', `/api/v1/routes/${route.id}`, { auth: { ...route.auth, providers } })).status,
      200,
    );
    assert.equal(
      routeProviderCredentials(await stored(route.id), 'github', key())?.clientSecret,
      'rotated-456',
    );
  });

  test('secrets that were not made here are refused', async () => {
    const first = await gw.api('POST', '/api/v1/routes/', {
      host: 'victim.test',
      target: 'http://127.0.0.1:9',
      auth: AUTH,
    });
    const sealed = (await stored(first.body.id)).auth.providers.github.clientSecret;
    const cases: [name: string, secret: string, message: RegExp][] = [
      ['"(set)" with nothing stored', '(set)', /no secret is stored for github yet/],
      ['a sealed value copied from another route', sealed, /send the client secret itself/],
    ];
    for (const [name, clientSecret, message] of cases) {
      const res = await gw.api('POST', '/api/v1/routes/', {
        host: 'thief.test',
        target: 'http://127.0.0.1:9',
        auth: { ...AUTH, providers: { github: { clientId: 'x', clientSecret } } },
      });
      assert.equal(res.status, 400, name);
      assert.equal(res.body.field, 'auth.providers.github.clientSecret', name);
      assert.match(res.body.message, message, name);
    }
  });

  test('bad matchers are refused with the field and the forms', async () => {
    const res = await gw.api('POST', '/api/v1/routes/', {
      host: 'bad.test',
      target: 'http://127.0.0.1:9',
      auth: { allow: ['alice'] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'auth.allow.0');
    assert.match(res.body.message, /"alice" is not a matcher; use one of: \*, <provider>:<login>/);
  });

  test('"auth": null opens a route; fleet-login routes have no auth', async () => {
    const { body: route } = await gw.api('POST', '/api/v1/routes/', {
      host: 'opened.test',
      target: 'http://127.0.0.1:9',
      auth: { allow: ['*'] },
    });
    const opened = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { auth: null });
    assert.equal(opened.status, 200);
    assert.equal(opened.body.auth, undefined);
    assert.equal('auth' in (await stored(route.id)), false);
    const fleet = await gw.api('POST', '/api/v1/routes/', {
      host: 'fleet.test',
      kind: 'fleet-login',
      auth: { allow: ['*'] },
    });
    assert.equal(fleet.status, 400);
    assert.match(JSON.stringify(fleet.body), /auth/);
  });

  test('every other kind takes auth', async () => {
    for (const body of [
      { host: 'k1.test', tunnel: 'somebody' },
      { host: 'k2.test', static: { body: 'hi' } },
      { host: 'k3.test', kind: 'fleet-proxy', target: 'http://127.0.0.1:9' },
      { host: 'k4.test', target: 'http://127.0.0.1:9', relay: {} },
    ]) {
      const res = await gw.api('POST', '/api/v1/routes/', { ...body, auth: { allow: ['*'] } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.auth.allow, ['*']);
    }
  });

  test('the OpenAPI document describes auth on routes and patches', async () => {
    const { body } = await gw.api('GET', '/api/v1/openapi.json');
    const text = JSON.stringify(body.components.schemas.RouteInput);
    assert.match(text, /"auth"/);
    assert.match(text, /headerPrefix/);
    assert.match(JSON.stringify(body.components.schemas.RoutePatch), /"auth"/);
  });
});

describe('both store backends keep a route’s auth as it was', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.stop());
  const route: Route = {
    ...routeInput.parse({
      host: 'kept.test',
      target: 'http://127.0.0.1:9',
      auth: { ...AUTH, providers: { github: { clientId: 'Iv1.x', clientSecret: 'sealed:v1.a.b.c' } } },
    }),
    id: 'r1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  for (const [name, open] of [
    ['sqlite', async () => SqliteStore.open(':memory:')],
    ['redis', () => RedisStore.open(`${redis.url}?prefix=auth:`)],
  ] as const)
    test(name, async (t) => {
      const store: Store = await open();
      t.after(() => store.close());
      await store.routes.insert(route);
      assert.deepEqual(await store.routes.get('r1'), route);
      assert.match(JSON.stringify(await store.routes.get('r1')), /"auth":\{"allow":\["github:alice"/);
    });
});

describe('the ResourcePolicy the authorization server asks', () => {
  const at = (id: string, host: string, path: string, auth?: unknown): Route => ({
    ...routeInput.parse({ host, path, target: 'http://127.0.0.1:9', ...(auth ? { auth } : {}) }),
    id,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const table = new RouteTable([
    at('root', 'app.example.com', '/', {
      allow: ['github:alice', 'github:bob'],
      scopes: { user: ['*'], admin: ['github:alice'] },
    }),
    at('api', 'app.example.com', '/api', { allow: ['*'], scopes: { mcp: ['*'] } }),
    at('wild', '*.apps.example.com', '/', { allow: ['*'] }),
    at('open', 'open.example.com', '/'),
  ]);
  const policy = routeResourcePolicy(() => table);
  const person = (login: string): UpstreamIdentity => ({
    provider: 'github',
    subject: '1',
    login,
    orgs: [],
    teams: [],
    groups: [],
    claims: {},
  });

  const cases: [resource: string, login: string, expected: ResourceGrant | { denied: RegExp } | undefined][] =
    [
      [
        'https://app.example.com',
        'alice',
        { audience: 'https://app.example.com', scopes: ['admin', 'user'] },
      ],
      ['https://app.example.com/', 'bob', { audience: 'https://app.example.com', scopes: ['user'] }],
      ['https://APP.example.com:443', 'bob', { audience: 'https://app.example.com', scopes: ['user'] }],
      ['http://app.example.com:8080', 'bob', { audience: 'http://app.example.com:8080', scopes: ['user'] }],
      ['https://app.example.com/api', 'carol', { audience: 'https://app.example.com/api', scopes: ['mcp'] }],
      ['https://app.example.com', 'carol', { denied: /github:carol is not on the allow list/ }],
      ['https://x.apps.example.com', 'carol', { audience: 'https://x.apps.example.com', scopes: ['user'] }],
      ['https://app.example.com/api/tools', 'alice', undefined],
      ['https://app.example.com/other', 'alice', undefined],
      ['https://app.example.com/api/', 'alice', undefined],
      ['https://app.example.com?x=1', 'alice', undefined],
      ['https://open.example.com', 'alice', undefined],
      ['https://nowhere.example.com', 'alice', undefined],
      ['ftp://app.example.com', 'alice', undefined],
    ];
  for (const [resource, login, expected] of cases)
    test(`${resource} for ${login}`, async () => {
      const got = await policy(new URL(resource), person(login));
      if (expected && 'denied' in expected) {
        assert.ok(got && 'denied' in got);
        assert.match(got.denied, expected.denied);
      } else assert.deepEqual(got, expected);
    });
});
