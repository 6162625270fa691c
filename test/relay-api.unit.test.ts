import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { RelayRegistry } from '../src/relay/registrations.ts';
import { createRelayApi, type RelayApiContext, SELECT_COOKIE } from '../src/relay/relay-api.ts';
import { hmacHex, registrationMessage, unregistrationMessage } from '../src/relay/signature.ts';
import type { RelayGlobals } from '../src/routes/relay-settings.ts';
import { routeRelaySettings } from '../src/routes/relay-settings.ts';
import { openStore } from '../src/store/open-store.ts';
import { tempDir } from './helpers/temp-dirs.ts';

// The relay's registration API as a relay route serves it, on a SQLite store in a temp dir,
// called with app.request(): no socket. test/relay.test.ts and test/relay-e2e.test.ts go through
// a gateway and real developers' servers.

const SECRET = 'relay-api-test-secret';
const NOW_S = Date.parse('2025-06-01T12:00:00.000Z') / 1000;
const URL_TARGET = 'https://dev-ann.trycloudflare.com';
const GLOBALS: RelayGlobals = { active: true, secret: SECRET, maxTtlSeconds: 3600 };

/** A signed registration body, as `gatehouse dev-proxy` sends it. */
function registration(
  fields: { developer_id?: string; tunnel_url?: string; tunnel?: string; ttl_seconds?: number } = {},
  { timestamp = NOW_S, secret = SECRET, unregister = false } = {},
): Record<string, unknown> {
  const body = { developer_id: 'ann', ...(fields.tunnel ? {} : { tunnel_url: URL_TARGET }), ...fields };
  const target = body.tunnel_url ?? `tunnel:${body.tunnel}`;
  const message = (unregister ? unregistrationMessage : registrationMessage)(
    target,
    body.developer_id,
    timestamp,
  );
  return { ...body, timestamp, hmac_signature: hmacHex(secret, message) };
}

/** A signed state mapping body. */
function stateMapping(state: string, developerId = 'ann'): Record<string, unknown> {
  const message = registrationMessage(state, developerId, NOW_S);
  return { state, developer_id: developerId, timestamp: NOW_S, hmac_signature: hmacHex(SECRET, message) };
}

/** The relay API of one relay route over a fresh store, closed when the test ends. */
async function relayApi(t: TestContext, globals: RelayGlobals = GLOBALS) {
  const clock = manualClock(NOW_S * 1000);
  const store = await openStore({ dataDir: tempDir('gatehouse-relay-api-'), clock });
  t.after(() => store.close());
  const context: RelayApiContext = {
    routeId: 'route-1',
    settings: routeRelaySettings.parse({ allowedTargets: ['*.trycloudflare.com'] }),
    globals,
    registry: new RelayRegistry(store.ephemeral, 'relay.test'),
    store,
    clock,
  };
  const app = createRelayApi();
  const call = async (method: string, path: string, body?: unknown, origin = 'https://relay.test') => {
    const res = await app.request(
      `${origin}${path}`,
      {
        method,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      },
      { relay: context },
    );
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { call, context, store, clock };
}

describe('relay API: registration, status, states and the browser pin', () => {
  test('register a URL, see it in the status, unregister it', async (t) => {
    const { call } = await relayApi(t);
    const made = await call('POST', '/register', registration({ ttl_seconds: 60 }));
    assert.equal(made.status, 201);
    assert.deepEqual(made.body, {
      developer_id: 'ann',
      target: `${URL_TARGET}/`,
      registered_at: '2025-06-01T12:00:00.000Z',
      expires_at: '2025-06-01T12:01:00.000Z',
    });
    assert.deepEqual((await call('GET', '/status')).body, { enabled: true, registrations: [made.body] });
    const gone = await call('DELETE', '/unregister', registration({}, { unregister: true }));
    assert.equal(gone.status, 200);
    assert.deepEqual(gone.body, { unregistered: 'ann' });
    assert.deepEqual((await call('GET', '/status')).body.registrations, []);
  });

  test('a registration lives at most the relay-wide limit; a tunnel target must exist', async (t) => {
    const { call, store } = await relayApi(t);
    const long = await call('POST', '/register', registration({ developer_id: 'bob', ttl_seconds: 86_400 }));
    assert.equal(long.body.expires_at, '2025-06-01T13:00:00.000Z');
    const missing = await call('POST', '/register', registration({ tunnel: 'bobs-laptop' }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'RELAY_TARGET_REFUSED');
    assert.equal(missing.body.field, 'tunnel');
    await store.tunnels.insert({
      name: 'bobs-laptop',
      owner: 'env',
      keyHash: 'h',
      keyPrefix: 'gt_x',
      createdAt: '2025-06-01T00:00:00.000Z',
    });
    // The refused request used its signature up: a new one, a second later.
    const found = await call(
      'POST',
      '/register',
      registration({ tunnel: 'bobs-laptop' }, { timestamp: NOW_S + 1 }),
    );
    assert.equal(found.status, 201);
    assert.equal(found.body.target, 'tunnel:bobs-laptop');
  });

  test('a state maps to a registered developer; select pins a browser with a cookie', async (t) => {
    const { call, context } = await relayApi(t);
    await call('POST', '/register', registration());
    const mapped = await call('POST', '/states', stateMapping('st-1'));
    assert.equal(mapped.status, 201);
    assert.deepEqual(mapped.body, { state: 'st-1', developer_id: 'ann' });
    assert.equal(await context.registry.consumeState('st-1', new Date(NOW_S * 1000)), 'ann');
    const selected = await call('GET', '/select?developer=ann');
    assert.deepEqual(selected.body, { selected: 'ann', expiresInSeconds: 900 });
    assert.equal(
      selected.headers.get('set-cookie'),
      `${SELECT_COOKIE}=ann; Path=/; HttpOnly; SameSite=Lax; Max-Age=900; Secure`,
    );
    // Browsers drop Secure cookies set over plain http, as a local relay is.
    const local = await call('GET', '/select?developer=ann', undefined, 'http://relay.localhost');
    assert.doesNotMatch(local.headers.get('set-cookie') ?? '', /Secure/);
  });
});

describe('relay API: what it refuses', () => {
  const url = (tunnel_url: string) => registration({ tunnel_url });
  const OTHER_URL = 'https://b.trycloudflare.com';
  const BAD_SIGNATURE = '403 RELAY_SIGNATURE_INVALID hmac_signature';
  const REFUSED_URL = '400 RELAY_TARGET_REFUSED tunnel_url';
  const NOT_REGISTERED = '404 RELAY_NOT_REGISTERED developer_id';
  // [what is wrong, body, the answer: status, error code and the field it names]
  const registrations: [name: string, body: unknown, answer: string][] = [
    ['no body', undefined, '400 RELAY_BODY_INVALID'],
    ['cut-off JSON', '{"developer_id":', '400 RELAY_BODY_INVALID'],
    ['a JSON array', [registration()], '400 VALIDATION_FAILED'],
    ['an unknown field', { ...registration(), port: 3000 }, '400 VALIDATION_FAILED port'],
    ['unsigned', { ...registration(), hmac_signature: undefined }, '400 VALIDATION_FAILED hmac_signature'],
    ['both targets', { ...registration(), tunnel: 'x' }, '400 VALIDATION_FAILED tunnel_url'],
    ['developer id "a b"', registration({ developer_id: 'a b' }), '400 VALIDATION_FAILED developer_id'],
    ['signed with another secret', registration({}, { secret: 'other' }), BAD_SIGNATURE],
    ['signed for another target', { ...registration(), tunnel_url: OTHER_URL }, BAD_SIGNATURE],
    ['signed 61 s ago', registration({}, { timestamp: NOW_S - 61 }), '403 RELAY_TIMESTAMP_STALE timestamp'],
    ['plain http', url('http://a.trycloudflare.com'), REFUSED_URL],
    ['a host off the allowlist', url('https://evil.example'), REFUSED_URL],
    ['an address', url('https://10.0.0.1'), REFUSED_URL],
  ];
  type Case = readonly [name: string, request: string, body: unknown, answer: string];
  const cases: readonly Case[] = [
    ...registrations.map(([name, body, answer]): Case => [name, 'POST /register', body, answer]),
    ['a registration signature to unregister', 'DELETE /unregister', registration(), BAD_SIGNATURE],
    ['unregistering nobody', 'DELETE /unregister', registration({}, { unregister: true }), NOT_REGISTERED],
    ['a state of nobody', 'POST /states', stateMapping('st-1', 'nobody'), NOT_REGISTERED],
    ['select without a developer', 'GET /select', undefined, '400 VALIDATION_FAILED developer'],
    ['select of nobody', 'GET /select?developer=nobody', undefined, '404 RELAY_NOT_REGISTERED developer'],
    ['an unknown endpoint', 'GET /nothing', undefined, '404 NOT_FOUND'],
  ];
  for (const [name, request, body, answer] of cases) {
    test(`${name}: ${answer}`, async (t) => {
      const { call, context } = await relayApi(t);
      const [method, path] = request.split(' ') as [string, string];
      const res = await call(method, path, body);
      const [status, error, field] = answer.split(' ');
      assert.equal(res.status, Number(status));
      assert.equal(res.body.error, error);
      assert.equal(res.body.field, field);
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(await context.registry.list(), []);
    });
  }

  test('a signature works once, whatever it asks', async (t) => {
    const { call, context } = await relayApi(t);
    const body = registration();
    assert.equal((await call('POST', '/register', body)).status, 201);
    await context.registry.unregister('ann');
    const again = await call('POST', '/register', body);
    assert.equal(again.status, 403);
    assert.equal(again.body.error, 'RELAY_SIGNATURE_REPLAYED');
    assert.deepEqual(await context.registry.list(), []);
  });

  test('without a shared secret nothing registers', async (t) => {
    const { call, context } = await relayApi(t, { ...GLOBALS, secret: undefined });
    const res = await call('POST', '/register', registration());
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'RELAY_DISABLED');
    assert.deepEqual(await context.registry.list(), []);
  });
});
