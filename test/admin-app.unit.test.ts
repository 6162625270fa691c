import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import type { Hono } from 'hono';
import { createAdminApp } from '../src/admin/app.ts';
import type { AdminDeps, AdminEnv } from '../src/admin/deps.ts';
import { AdminKeys, type OAuthPrincipal } from '../src/auth/keys/admin-keys.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { manualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { Metrics } from '../src/core/metrics.ts';
import { proxyHandler } from '../src/edge/proxy/proxy-handler.ts';
import { UpstreamPool } from '../src/edge/proxy/upstream-pool.ts';
import { RouteCatalog } from '../src/edge/routing/route-catalog.ts';
import { RouteService } from '../src/edge/routing/route-service.ts';
import { McpAudit } from '../src/mcp/route/mcp-audit.ts';
import { RelayService } from '../src/relay/relay-service.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/types.ts';
import type { VehicleState, VehicleStateReader } from '../src/telemetry/state/vehicle-state.ts';
import { TunnelService } from '../src/tunnel/server/tunnel-service.ts';

// The admin API as the gateway builds it, on a SQLite store in a temp dir, called with
// app.request(): no socket. test/admin-api.test.ts checks what needs the listener (admin hosts,
// metrics of the dispatcher, the bootstrap key of a first start).

const ADMIN_KEY = 'gk_admin-app-test-key';
const NOW = Date.parse('2025-06-01T12:00:00.000Z');
/** OAuth access tokens the stand-in authorization server knows. */
const PEOPLE: Record<string, OAuthPrincipal> = {
  'token-admin': { kind: 'oauth', accountId: 'github|1', login: 'github:ann', scopes: ['openid', 'admin'] },
  'token-reader': { kind: 'oauth', accountId: 'github|2', login: 'github:bob', scopes: ['openid'] },
};
const VIN = '5YJ3E7EB2NF000001';
const VEHICLE: VehicleState = {
  vin: VIN,
  status: 'CONNECTED',
  lastSeenAt: NOW,
  fields: {},
  fieldTimes: {},
  alerts: [],
  errors: [],
};
const vehicles: VehicleStateReader = {
  list: async () => [VEHICLE],
  get: async (vin) => (vin === VIN ? VEHICLE : undefined),
  history: async (vin) => (vin === VIN ? { vin, samples: [{ at: NOW, fields: {} }] } : undefined),
};

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each pinned down by the test's assertions
  body: any;
}

interface AdminAppUnderTest {
  app: Hono<AdminEnv>;
  store: Store;
  deps: AdminDeps;
  /** Sends a request; a body that is not a string goes as JSON. `key: null` sends no Authorization. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<Answer>;
}

/** The admin app over a fresh store, closed when the test ends. */
async function adminApp(
  t: TestContext,
  options: { envKey?: string | undefined; accepting?: () => boolean; rotate?: boolean } = {},
): Promise<AdminAppUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = manualClock(NOW);
  const config = loadConfig({ flags: { data: dir }, env: {} });
  const logger = createLogger('silent');
  const metrics = new Metrics();
  const store = await openStore({ dataDir: dir, clock });
  t.after(() => store.close());
  const catalog = new RouteCatalog(store);
  await catalog.start();
  t.after(() => catalog.stop());
  const tunnels = new TunnelService({
    store,
    settings: config.tunnels,
    logger,
    metrics,
    domain: 'gatehouse.test',
    publicBase: () => ({ scheme: 'https', port: '' }),
    trustForwarded: false,
    clock,
  });
  await tunnels.start();
  t.after(() => tunnels.stop());
  const envKey = 'envKey' in options ? options.envKey : ADMIN_KEY;
  const deps: AdminDeps = {
    store,
    catalog,
    routes: new RouteService({ store, catalog, clock }),
    keys: new AdminKeys(store, envKey, clock),
    tunnels,
    mcpAudit: new McpAudit(store.ephemeral, clock),
    relay: new RelayService({
      store,
      tunnels,
      upstream: proxyHandler({ pool: new UpstreamPool(), trustForwarded: false, logger, metrics }),
      globals: { active: false, secret: undefined, maxTtlSeconds: 3600 },
      logger,
      trustForwarded: false,
      clock,
    }),
    metrics,
    clock,
    vehicles,
    accepting: options.accepting ?? (() => true),
    oauthPrincipal: async (token) => PEOPLE[token],
    ...(options.rotate ? { rotateSigningKey: async () => ['kid-new', 'kid-old'] } : {}),
  };
  const app = createAdminApp(deps);
  const call: AdminAppUnderTest['call'] = async (method, path, { body, key = ADMIN_KEY, headers } = {}) => {
    const res = await app.request(path, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: json && text ? JSON.parse(text) : text };
  };
  return { app, store, deps, call };
}

describe('admin app: health, readiness, metrics and the OpenAPI document', () => {
  test('healthz and readyz need no key; readyz says 503 while shutting down', async (t) => {
    let accepting = true;
    const { call } = await adminApp(t, { accepting: () => accepting });
    const health = await call('GET', '/healthz', { key: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    assert.deepEqual((await call('GET', '/readyz', { key: null })).body, {
      status: 'ready',
      store: 'sqlite',
      routes: 0,
    });
    accepting = false;
    const draining = await call('GET', '/readyz', { key: null });
    assert.equal(draining.status, 503);
    assert.deepEqual(draining.body, { status: 'shutting down' });
  });

  test('readyz says 503 when the store does not answer', async (t) => {
    const { call, store } = await adminApp(t);
    await store.close();
    const res = await call('GET', '/readyz', { key: null });
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'store unavailable', store: 'sqlite' });
  });

  test('metrics count the routes; the OpenAPI document lists the collections', async (t) => {
    const { call } = await adminApp(t);
    await call('POST', '/api/v1/routes', { body: { host: 'a.test', target: 'http://127.0.0.1:9' } });
    const metrics = await call('GET', '/metrics', { key: null });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(metrics.body, /^gatehouse_routes 1$/m);
    const doc = (await call('GET', '/api/v1/openapi.json', { key: null })).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/routes/', '/routes/{id}', '/keys/', '/keys/{id}', '/oauth/keys/rotate'])
      assert.ok(doc.paths[path], path);
  });
});

describe('admin app: who may call it', () => {
  const cases: [name: string, authorization: string | undefined, status: number, error?: string][] = [
    ['no Authorization header', undefined, 401, 'UNAUTHORIZED'],
    [
      'Basic instead of Bearer',
      `Basic ${Buffer.from(`x:${ADMIN_KEY}`).toString('base64')}`,
      401,
      'UNAUTHORIZED',
    ],
    ['an API key nobody issued', 'Bearer gk_nobody-issued-this', 401, 'UNAUTHORIZED'],
    ['a token the authorization server does not know', 'Bearer token-unknown', 401, 'UNAUTHORIZED'],
    ['a person without the admin scope', 'Bearer token-reader', 403, 'INSUFFICIENT_SCOPE'],
    ['a person with the admin scope', 'Bearer token-admin', 200],
    ['the key from GATEHOUSE_ADMIN_KEY', `Bearer ${ADMIN_KEY}`, 200],
  ];
  for (const [name, authorization, status, error] of cases) {
    test(`${name}: ${status}${error ? ` ${error}` : ''}`, async (t) => {
      const { call } = await adminApp(t);
      const res = await call('GET', '/api/v1/routes', {
        key: null,
        headers: authorization ? { authorization } : {},
      });
      assert.equal(res.status, status);
      assert.equal(res.body.error, error);
      // 401 asks for a bearer credential (RFC 6750); 403 does not, as logging in again will not help.
      assert.equal(res.headers.get('www-authenticate'), status === 401 ? 'Bearer' : null);
    });
  }

  test('a 401 names both ways in when OAuth is on', async (t) => {
    const { call } = await adminApp(t);
    const res = await call('GET', '/api/v1/keys', { key: null });
    assert.match(res.body.message, /an admin API key or an OAuth access token with the admin scope/);
  });
});

describe('admin app: bad input is refused, with the field named, and nothing is stored', () => {
  const ROUTE = { host: 'x.test', target: 'http://a' };
  const FORM = 'application/x-www-form-urlencoded';
  const HUGE = { ...ROUTE, pad: 'x'.repeat(1 << 20) };
  /** A body sent as it is, with this Content-Type (none when left out). */
  class Raw {
    readonly text: string;
    readonly type: string | undefined;
    constructor(text: string, type: string | undefined) {
      this.text = text;
      this.type = type;
    }
  }
  const raw = (text: string, type?: string) => new Raw(text, type);
  // [what is wrong, request, body, the answer: status, error code and the field it names]
  const cases: [name: string, request: string, body: unknown, answer: string][] = [
    ['text/plain', 'POST /api/v1/routes', raw('{}', 'text/plain'), '415 UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', 'POST /api/v1/keys', raw('{"name":"x"}'), '415 UNSUPPORTED_MEDIA_TYPE'],
    ['form-encoded', 'POST /api/v1/tunnels', raw('name=x', FORM), '415 UNSUPPORTED_MEDIA_TYPE'],
    ['cut-off JSON', 'POST /api/v1/routes', raw('{"host":', 'application/json'), '400 INVALID_JSON'],
    ['a JSON array', 'POST /api/v1/routes', [1, 2], '400 VALIDATION_FAILED'],
    ['no target', 'POST /api/v1/routes', { host: 'x.test' }, '400 VALIDATION_FAILED target'],
    ['host:port', 'POST /api/v1/routes', { ...ROUTE, host: 'x.test:80' }, '400 VALIDATION_FAILED host'],
    ['an unknown route field', 'POST /api/v1/routes', { ...ROUTE, extra: 1 }, '400 VALIDATION_FAILED extra'],
    ['an extra key field', 'POST /api/v1/keys', { name: 'ci', scope: 'all' }, '400 VALIDATION_FAILED scope'],
    ['an empty key name', 'POST /api/v1/keys', { name: '  ' }, '400 VALIDATION_FAILED name'],
    ['an unknown tunnel field', 'POST /api/v1/tunnels', { port: 3000 }, '400 VALIDATION_FAILED port'],
    ['a tunnel name with a dot', 'POST /api/v1/tunnels', { name: 'a.b' }, '400 TUNNEL_NAME_INVALID name'],
    ['a body over 1 MiB', 'POST /api/v1/routes', HUGE, '413 PAYLOAD_TOO_LARGE'],
    ['a patch of an unknown route', 'PATCH /api/v1/routes/nope', { priority: 1 }, '404 NOT_FOUND id'],
    ['a VIN with a dot', 'GET /api/v1/fleet/vehicles/5YJ.1', undefined, '400 VALIDATION_FAILED vin'],
    ['an unknown endpoint', 'GET /api/v1/nothing', undefined, '404 NOT_FOUND'],
    ['a negative limit', 'GET /api/v1/requests?limit=-1', undefined, '400 VALIDATION_FAILED limit'],
    ['a limit that is no number', 'GET /api/v1/requests?limit=ten', undefined, '400 VALIDATION_FAILED limit'],
    [
      'a limit over 500',
      'GET /api/v1/routes/r/deliveries?limit=501',
      undefined,
      '400 VALIDATION_FAILED limit',
    ],
    [
      'a fractional limit',
      'GET /api/v1/tunnels/t/events?limit=2.5',
      undefined,
      '400 VALIDATION_FAILED limit',
    ],
  ];
  for (const [name, request, body, answer] of cases) {
    test(`${name}: ${answer}`, async (t) => {
      const { call, store } = await adminApp(t);
      const [method, path] = request.split(' ') as [string, string];
      const sent =
        body instanceof Raw
          ? { body: body.text, headers: body.type ? { 'content-type': body.type } : {} }
          : { body };
      const res = await call(method, path, sent);
      const [status, error, field] = answer.split(' ');
      assert.equal(res.status, Number(status));
      assert.equal(res.body.error, error);
      assert.equal(res.body.field, field);
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(await store.routes.list(), []);
      assert.deepEqual(await store.apiKeys.list(), []);
      assert.deepEqual(await store.tunnels.list(), []);
    });
  }

  test('a bad patch changes nothing', async (t) => {
    const { call } = await adminApp(t);
    const { id } = (await call('POST', '/api/v1/routes', { body: { host: 'p.test', target: 'http://a' } }))
      .body;
    const res = await call('PATCH', `/api/v1/routes/${id}`, { body: { host: 'not a host' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'host');
    assert.equal((await call('GET', `/api/v1/routes/${id}`)).body.host, 'p.test');
  });
});

describe('admin app: routes', () => {
  test('create 201 with its location, read, list, patch, delete; the routing table follows', async (t) => {
    const { call, deps } = await adminApp(t);
    const created = await call('POST', '/api/v1/routes/', {
      body: { host: 'crud.test', path: '/a', target: 'http://127.0.0.1:9' },
    });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.match(id, /^[0-9a-z]{26}$/);
    assert.equal(created.headers.get('location'), `/api/v1/routes/${id}`);
    assert.equal(created.body.kind, 'proxy');
    assert.equal(deps.catalog.table.size, 1);
    assert.equal((await call('GET', `/api/v1/routes/${id}`)).body.host, 'crud.test');
    for (const list of ['/api/v1/routes', '/api/v1/routes/'])
      assert.deepEqual(
        (await call('GET', list)).body.routes.map((r: { id: string }) => r.id),
        [id],
      );
    const patched = await call('PATCH', `/api/v1/routes/${id}`, { body: { priority: 3 } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.priority, 3);
    assert.equal(patched.body.host, 'crud.test');
    assert.equal((await call('DELETE', `/api/v1/routes/${id}`)).status, 204);
    assert.equal(deps.catalog.table.size, 0);
    const gone = await call('GET', `/api/v1/routes/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'NOT_FOUND');
    assert.equal((await call('DELETE', `/api/v1/routes/${id}`)).status, 404);
  });

  test('deliveries of a route: none yet; an unknown one is 404; a replay names a developer', async (t) => {
    const { call } = await adminApp(t);
    const { id } = (await call('POST', '/api/v1/routes', { body: { host: 'd.test', target: 'http://a' } }))
      .body;
    assert.deepEqual((await call('GET', `/api/v1/routes/${id}/deliveries?limit=5`)).body, { deliveries: [] });
    const missing = await call('GET', `/api/v1/routes/${id}/deliveries/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'NOT_FOUND');
    const replay = await call('POST', `/api/v1/routes/${id}/deliveries/nope/replay`, {
      body: { developer_id: 'has space' },
    });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.field, 'developer_id');
    assert.equal((await call('GET', '/api/v1/routes/nope/deliveries')).status, 404);
  });

  test("an mcp route's calls: the audit, newest first; another kind of route has none", async (t) => {
    const { call, deps } = await adminApp(t);
    const made = await call('POST', '/api/v1/routes', {
      body: {
        host: 'tools.test',
        auth: { allow: ['*'] },
        mcp: { target: 'http://a/mcp', access: [{ who: ['*'], tools: ['*'] }] },
      },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.kind, 'mcp');
    const base = { who: 'github:alice', method: 'tools/call', argumentsHash: null, durationMs: 3 };
    await deps.mcpAudit.record(made.body.id, { ...base, name: 'first', outcome: 'ok' });
    (deps.clock as ReturnType<typeof manualClock>).advance(1000);
    await deps.mcpAudit.record(made.body.id, { ...base, name: 'second', outcome: 'denied' });
    const listed = await call('GET', `/api/v1/routes/${made.body.id}/mcp-calls?limit=10`);
    assert.deepEqual(
      listed.body.calls.map((c: { name: string; outcome: string }) => [c.name, c.outcome]),
      [
        ['second', 'denied'],
        ['first', 'ok'],
      ],
    );
    const proxy = (await call('POST', '/api/v1/routes', { body: { host: 'p.test', target: 'http://a' } }))
      .body;
    const refused = await call('GET', `/api/v1/routes/${proxy.id}/mcp-calls`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /not an mcp route/);
  });
});

describe('admin app: keys', () => {
  test('the secret is shown once; listings show its prefix; a revoked key stops working', async (t) => {
    const { call } = await adminApp(t);
    const made = await call('POST', '/api/v1/keys', { body: { name: 'ci' } });
    assert.equal(made.status, 201);
    assert.equal(made.headers.get('cache-control'), 'no-store');
    const secret = made.body.secret as string;
    assert.match(secret, /^gk_/);
    assert.ok(secret.startsWith(made.body.prefix));
    assert.equal(made.body.createdAt, new Date(NOW).toISOString());
    const listed = await call('GET', '/api/v1/keys');
    // The key the gateway was started with comes first, marked as the one this request used.
    assert.deepEqual(listed.body.keys, [
      {
        id: 'env',
        name: 'GATEHOUSE_ADMIN_KEY',
        prefix: listed.body.keys[0].prefix,
        source: 'environment',
        inUse: true,
        createdAt: null,
        revokedAt: null,
      },
      {
        id: made.body.id,
        name: 'ci',
        prefix: made.body.prefix,
        source: 'stored',
        inUse: false,
        createdAt: made.body.createdAt,
        revokedAt: null,
      },
    ]);
    assert.equal((await call('GET', `/api/v1/keys/${made.body.id}`)).body.name, 'ci');
    assert.equal((await call('GET', '/api/v1/routes', { key: secret })).status, 200);
    const revoked = await call('DELETE', `/api/v1/keys/${made.body.id}`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.revokedAt, new Date(NOW).toISOString());
    assert.equal((await call('GET', '/api/v1/routes', { key: secret })).status, 401);
    assert.equal((await call('DELETE', `/api/v1/keys/${made.body.id}`)).status, 404);
    assert.equal((await call('GET', '/api/v1/keys/nope')).body.field, 'id');
  });

  test('without GATEHOUSE_ADMIN_KEY the last active key cannot be revoked', async (t) => {
    const { call, deps } = await adminApp(t, { envKey: undefined });
    const key = await deps.keys.bootstrap();
    assert.ok(key);
    const [only] = (await call('GET', '/api/v1/keys', { key })).body.keys;
    const res = await call('DELETE', `/api/v1/keys/${only.id}`, { key });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'LAST_ADMIN_KEY');
    assert.equal((await call('GET', '/api/v1/routes', { key })).status, 200);
  });
});

describe('admin app: tunnels', () => {
  test('create, read, list, events, rotate the key, delete', async (t) => {
    const { call } = await adminApp(t);
    const made = await call('POST', '/api/v1/tunnels', { body: { name: 'Demo' } });
    assert.equal(made.status, 201);
    assert.equal(made.headers.get('cache-control'), 'no-store');
    assert.equal(made.body.name, 'demo');
    assert.equal(made.body.url, 'https://demo.gatehouse.test');
    assert.equal(made.body.owner, 'env');
    assert.equal(made.body.online, false);
    assert.match(made.body.key, /^gt_/);
    const shown = (await call('GET', '/api/v1/tunnels/demo')).body;
    assert.equal(shown.key, undefined);
    assert.equal(shown.keyPrefix, made.body.keyPrefix);
    assert.deepEqual(
      (await call('GET', '/api/v1/tunnels')).body.tunnels.map((x: { name: string }) => x.name),
      ['demo'],
    );
    assert.deepEqual((await call('GET', '/api/v1/tunnels/demo/events?limit=10')).body, { events: [] });
    const rotated = await call('POST', '/api/v1/tunnels/demo/rotate-key');
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.key, made.body.key);
    assert.equal(rotated.body.keyRotatedAt, new Date(NOW).toISOString());
    const taken = await call('POST', '/api/v1/tunnels', { body: { name: 'demo' } });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error, 'TUNNEL_NAME_TAKEN');
    assert.equal((await call('DELETE', '/api/v1/tunnels/demo')).status, 204);
    for (const [method, path] of [
      ['GET', '/api/v1/tunnels/demo'],
      ['GET', '/api/v1/tunnels/demo/events'],
      ['POST', '/api/v1/tunnels/demo/rotate-key'],
      ['DELETE', '/api/v1/tunnels/demo'],
    ] as const) {
      const res = await call(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error, 'TUNNEL_NOT_FOUND');
    }
  });

  test('a tunnel without a name gets one; a person owns what they create', async (t) => {
    const { call } = await adminApp(t);
    const made = await call('POST', '/api/v1/tunnels', { body: {}, key: 'token-admin' });
    assert.equal(made.status, 201);
    assert.match(made.body.name, /^[a-z0-9-]+$/);
    assert.equal(made.body.owner, 'account:github|1');
  });
});

describe('admin app: the authorization server and vehicle telemetry', () => {
  test('rotating the signing key: 503 without the authorization server, the key ids with it', async (t) => {
    const without = await (await adminApp(t)).call('POST', '/api/v1/oauth/keys/rotate');
    assert.equal(without.status, 503);
    assert.equal(without.body.error, 'AUTH_UNAVAILABLE');
    const withIt = await (await adminApp(t, { rotate: true })).call('POST', '/api/v1/oauth/keys/rotate');
    assert.deepEqual(withIt.body, { keys: ['kid-new', 'kid-old'] });
  });

  test('vehicles: the list, one with its history, 404 for one never heard from', async (t) => {
    const { call } = await adminApp(t);
    assert.deepEqual((await call('GET', '/api/v1/fleet/vehicles')).body, { vehicles: [VEHICLE] });
    assert.deepEqual((await call('GET', `/api/v1/fleet/vehicles/${VIN}`)).body, {
      ...VEHICLE,
      history: [{ at: NOW, fields: {} }],
    });
    const unknown = await call('GET', '/api/v1/fleet/vehicles/7SAYGDEE1PF000002');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'FLEET_VEHICLE_UNKNOWN');
    assert.equal(unknown.body.field, 'vin');
  });
});

describe('admin app: certificates with ACME off', () => {
  test('the list is empty; one certificate, a renewal or a revocation says how to turn ACME on', async (t) => {
    const { call } = await adminApp(t);
    const list = await call('GET', '/api/v1/certificates/');
    assert.deepEqual([list.status, list.body], [200, { certificates: [] }]);
    for (const [method, path] of [
      ['GET', '/api/v1/certificates/abc123'],
      ['POST', '/api/v1/certificates/abc123/renew'],
      ['POST', '/api/v1/certificates/abc123/revoke'],
      ['GET', '/api/v1/certificates/abc123/chain'],
    ] as const) {
      const res = await call(method, path);
      assert.equal(res.status, 409, `${method} ${path}`);
      assert.equal(res.body.error, 'CERT_ACME_OFF');
      assert.match(res.body.message, /--acme-email or --acme-directory/);
    }
    assert.equal(
      (await call('GET', '/api/v1/certificates/', { key: null })).status,
      401,
      'behind the admin key',
    );
  });
});
