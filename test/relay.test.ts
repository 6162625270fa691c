import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { manualClock } from '../src/core/clock.ts';
import { durationWords } from '../src/relay/select-page.ts';
import { hmacHex, registrationMessage, unregistrationMessage } from '../src/relay/signature.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { selfSigned } from './helpers/certs.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-shared-secret-for-tests';
const HOST = 'dev.api.example.test';
const CALLBACK = '/api/v1/tesla/oauth/callback';

/** A signed registration body, as `gatehouse dev-proxy` or the proposal's shell action sends it. */
function signed(
  fields: { tunnel_url?: string; tunnel?: string; developer_id: string },
  options: { secret?: string; ageSeconds?: number; timestamp?: number; unregister?: boolean } = {},
) {
  const timestamp = options.timestamp ?? Math.floor(clock() / 1000) - (options.ageSeconds ?? 0);
  const target = fields.tunnel_url ?? `tunnel:${fields.tunnel}`;
  const message = options.unregister ? unregistrationMessage : registrationMessage;
  return {
    ...fields,
    timestamp,
    hmac_signature: hmacHex(options.secret ?? SECRET, message(target, fields.developer_id, timestamp)),
  };
}

async function call(gw: TestGateway, method: string, path: string, body?: unknown) {
  const res = await request(`${gw.url}${path}`, {
    method: method as 'GET',
    headers: { host: HOST, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    body: text.startsWith('{') ? JSON.parse(text) : text,
  };
}

/** The gateway's clock: it moves only when a test moves it. */
const clock = manualClock();

async function relayGateway(options: { environment?: string; enabled?: boolean } = {}) {
  const gw = await startTestGateway({
    clock,
    environment: options.environment ?? 'dev',
    flags: { relay: options.enabled ?? true, 'tunnel-offline-wait': '0' },
    env: { DEV_PROXY_SHARED_SECRET: SECRET },
  });
  const deployed = await startUpstream((req, res) => res.end(`deployed app: ${req.url}`));
  await gw.addRoute({
    host: HOST,
    target: deployed.url,
    relay: { allowedTargets: ['*.trycloudflare.test'] },
  });
  return { gw, deployed };
}

describe('dev-proxy registration API (the proposal’s contract)', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  before(async () => {
    ({ gw, deployed } = await relayGateway());
    await createTunnel(gw, 'ysg-laptop');
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
  });

  test('valid HMAC → 201, listed by status without secrets', async () => {
    const res = await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel_url: 'https://dev-ysg.trycloudflare.test', developer_id: 'ysg' }),
    );
    assert.equal(res.status, 201);
    assert.equal(res.body.developer_id, 'ysg');
    const status = await call(gw, 'GET', '/api/v1/dev-proxy/status');
    assert.equal(status.status, 200);
    const entry = status.body.registrations.find((r: { developer_id: string }) => r.developer_id === 'ysg');
    assert.equal(entry.target, 'https://dev-ysg.trycloudflare.test/');
    assert.ok(Date.parse(entry.expires_at) - Date.parse(entry.registered_at) === 14_400_000);
    assert.ok(!JSON.stringify(status.body).includes(SECRET));
    assert.ok(!JSON.stringify(status.body).includes('hmac'));
  });

  test('a tunnel by name instead of a URL', async () => {
    const res = await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel: 'ysg-laptop', developer_id: 'ysg-t' }),
    );
    assert.equal(res.status, 201);
    assert.equal(res.body.target, 'tunnel:ysg-laptop');
    const unknown = await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel: 'nobody', developer_id: 'x' }),
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'RELAY_TARGET_REFUSED');
  });

  const refused: [name: string, body: () => unknown, status: number, code: string][] = [
    [
      'invalid signature → 403',
      () =>
        signed({ tunnel_url: 'https://a.trycloudflare.test', developer_id: 'a' }, { secret: 'wrong-secret' }),
      403,
      'RELAY_SIGNATURE_INVALID',
    ],
    [
      'expired timestamp → 403',
      () => signed({ tunnel_url: 'https://a.trycloudflare.test', developer_id: 'a' }, { ageSeconds: 120 }),
      403,
      'RELAY_TIMESTAMP_STALE',
    ],
    [
      'http target (https only) → 400',
      () => signed({ tunnel_url: 'http://a.trycloudflare.test', developer_id: 'a' }),
      400,
      'RELAY_TARGET_REFUSED',
    ],
    [
      'target off the allowlist (SSRF) → 400',
      () => signed({ tunnel_url: 'https://internal.corp.test', developer_id: 'a' }),
      400,
      'RELAY_TARGET_REFUSED',
    ],
    [
      'IP literal target (SSRF) → 400',
      () => signed({ tunnel_url: 'https://169.254.169.254', developer_id: 'a' }),
      400,
      'RELAY_TARGET_REFUSED',
    ],
    [
      'missing developer_id → 400',
      () => ({ tunnel_url: 'https://a.trycloudflare.test', timestamp: 1, hmac_signature: 'x' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'both tunnel and tunnel_url → 400',
      () => signed({ tunnel_url: 'https://a.trycloudflare.test', tunnel: 'ysg-laptop', developer_id: 'a' }),
      400,
      'VALIDATION_FAILED',
    ],
  ];
  for (const [name, body, status, code] of refused) {
    test(name, async () => {
      const before = (await call(gw, 'GET', '/api/v1/dev-proxy/status')).body.registrations.length;
      const res = await call(gw, 'POST', '/api/v1/dev-proxy/register', body());
      assert.equal(res.status, status);
      assert.equal(res.body.error, code);
      assert.equal(
        (await call(gw, 'GET', '/api/v1/dev-proxy/status')).body.registrations.length,
        before,
        'nothing stored',
      );
    });
  }

  test('a signature cannot be replayed inside its freshness window', async () => {
    const body = signed({ tunnel_url: 'https://replay.trycloudflare.test', developer_id: 'replayer' });
    assert.equal((await call(gw, 'POST', '/api/v1/dev-proxy/register', body)).status, 201);
    const again = await call(gw, 'POST', '/api/v1/dev-proxy/register', body);
    assert.equal(again.status, 403);
    assert.equal(again.body.error, 'RELAY_SIGNATURE_REPLAYED');
  });

  test('the latest registration per developer wins', async () => {
    await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel_url: 'https://one.trycloudflare.test', developer_id: 'moving' }),
    );
    await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel_url: 'https://two.trycloudflare.test', developer_id: 'moving' }),
    );
    const entries = (await call(gw, 'GET', '/api/v1/dev-proxy/status')).body.registrations.filter(
      (r: { developer_id: string }) => r.developer_id === 'moving',
    );
    assert.deepEqual(
      entries.map((e: { target: string }) => e.target),
      ['https://two.trycloudflare.test/'],
    );
  });

  test('unregister → 200, then the developer is gone (and a second unregister → 404)', async () => {
    await call(
      gw,
      'POST',
      '/api/v1/dev-proxy/register',
      signed({ tunnel_url: 'https://bye.trycloudflare.test', developer_id: 'leaving' }),
    );
    const unregister = signed(
      { tunnel_url: 'https://bye.trycloudflare.test', developer_id: 'leaving' },
      { unregister: true },
    );
    const res = await call(gw, 'DELETE', '/api/v1/dev-proxy/unregister', unregister);
    assert.equal(res.status, 200);
    assert.ok(
      !(await call(gw, 'GET', '/api/v1/dev-proxy/status')).body.registrations.some(
        (r: { developer_id: string }) => r.developer_id === 'leaving',
      ),
    );
    const replayed = await call(gw, 'DELETE', '/api/v1/dev-proxy/unregister', unregister);
    assert.equal(replayed.status, 403, 'the same signed request again is a replay');
    // A different timestamp makes a different signature, whatever second the clock has reached.
    const again = await call(
      gw,
      'DELETE',
      '/api/v1/dev-proxy/unregister',
      signed(
        { tunnel_url: 'https://bye.trycloudflare.test', developer_id: 'leaving' },
        { timestamp: unregister.timestamp - 1, unregister: true },
      ),
    );
    assert.equal(again.status, 404);
    assert.equal(again.body.error, 'RELAY_NOT_REGISTERED');
  });

  test('registrations expire after their TTL', async () => {
    const res = await call(gw, 'POST', '/api/v1/dev-proxy/register', {
      ...signed({ tunnel_url: 'https://brief.trycloudflare.test', developer_id: 'brief' }),
      ttl_seconds: 1,
    });
    assert.equal(res.status, 201);
    clock.advance(1001);
    assert.ok(
      !(await call(gw, 'GET', '/api/v1/dev-proxy/status')).body.registrations.some(
        (r: { developer_id: string }) => r.developer_id === 'brief',
      ),
    );
  });

  test('requests that are not the relay’s go to the deployed app unchanged', async () => {
    const res = await call(gw, 'GET', '/api/v1/vehicles?x=1');
    assert.equal(res.body, 'deployed app: /api/v1/vehicles?x=1');
  });
});

describe('relay switched off', () => {
  const cases: [name: string, options: { environment?: string; enabled?: boolean }][] = [
    ['not enabled', { enabled: false }],
    ['enabled in prd (environment guard)', { environment: 'prd' }],
    ['enabled in tst (environment guard)', { environment: 'tst' }],
  ];
  for (const [name, options] of cases) {
    test(`${name}: the API answers 404 and callbacks process locally`, async (t) => {
      const { gw, deployed } = await relayGateway(options);
      t.after(() => gw.stop());
      t.after(() => deployed.close());
      const res = await call(
        gw,
        'POST',
        '/api/v1/dev-proxy/register',
        signed({ tunnel_url: 'https://x.trycloudflare.test', developer_id: 'x' }),
      );
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'RELAY_DISABLED');
      assert.equal((await call(gw, 'GET', '/api/v1/dev-proxy/status')).status, 404);
      assert.equal(
        (await call(gw, 'GET', `${CALLBACK}?code=c&state=s`)).body,
        `deployed app: ${CALLBACK}?code=c&state=s`,
      );
    });
  }
});

describe('callbacks relayed by state', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let local: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    ({ gw, deployed } = await relayGateway());
    // The developer's app: its authorize step redirects to the provider with a state.
    local = await startUpstream((req, res) => {
      if (req.url?.startsWith('/oauth/initiate')) {
        res.writeHead(302, {
          location: 'https://auth.provider.test/authorize?client_id=c&state=learned-by-location',
        });
        res.end();
      } else if (req.url?.startsWith('/oauth/json')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ authUrl: 'https://auth.provider.test/authorize?state=learned-by-json' }));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'sid=1; Path=/' });
        res.end(`local app: ${req.url} from ${req.headers['x-relay-from']}`);
      }
    });
    const t = await createTunnel(gw, 'ysg-box');
    agent = await startAgent(gw, t, local.url);
    assert.equal(
      (
        await call(
          gw,
          'POST',
          '/api/v1/dev-proxy/register',
          signed({ tunnel: 'ysg-box', developer_id: 'ysg' }),
        )
      ).status,
      201,
    );
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await deployed.close();
    await local.close();
  });

  test('a callback whose state was posted (signed) relays to that developer', async () => {
    const body = { state: 'posted-state', developer_id: 'ysg', timestamp: Math.floor(clock() / 1000) };
    const mapped = await call(gw, 'POST', '/api/v1/dev-proxy/states', {
      ...body,
      hmac_signature: hmacHex(SECRET, registrationMessage(body.state, body.developer_id, body.timestamp)),
    });
    assert.equal(mapped.status, 201);
    const res = await call(gw, 'GET', `${CALLBACK}?code=abc&state=posted-state`);
    assert.equal(res.body, `local app: ${CALLBACK}?code=abc&state=posted-state from ysg`);
    assert.equal(res.headers['set-cookie'], 'sid=1; Path=/', 'the app’s cookies reach the browser');
  });

  test('a callback without a mapped state is processed by the deployed app', async () => {
    const res = await call(gw, 'GET', `${CALLBACK}?code=abc&state=unknown`);
    assert.equal(res.body, `deployed app: ${CALLBACK}?code=abc&state=unknown`);
  });

  test('states are learned from a redirect Location and from a JSON authUrl', async () => {
    const initiate = await request(`${gw.url}/oauth/initiate`, {
      headers: { host: HOST, 'x-dev-proxy-target': 'ysg' },
    });
    assert.equal(initiate.statusCode, 302);
    assert.match(String(initiate.headers['location']), /state=learned-by-location/);
    await initiate.body.dump();
    assert.match((await call(gw, 'GET', `${CALLBACK}?code=1&state=learned-by-location`)).body, /^local app/);
    const json = await request(`${gw.url}/oauth/json`, {
      headers: { host: HOST, 'x-dev-proxy-target': 'ysg' },
    });
    assert.deepEqual(await json.body.json(), {
      authUrl: 'https://auth.provider.test/authorize?state=learned-by-json',
    });
    assert.match((await call(gw, 'GET', `${CALLBACK}?code=1&state=learned-by-json`)).body, /^local app/);
  });

  test('a used state keeps routing for a short retry grace', async () => {
    const initiate = await request(`${gw.url}/oauth/initiate`, {
      headers: { host: HOST, 'x-dev-proxy-target': 'ysg' },
    });
    await initiate.body.dump();
    assert.match((await call(gw, 'GET', `${CALLBACK}?code=1&state=learned-by-location`)).body, /^local app/);
    assert.match(
      (await call(gw, 'GET', `${CALLBACK}?code=1&state=learned-by-location`)).body,
      /^local app/,
      'a browser retry',
    );
  });

  test('relayed requests carry X-Relay-From and a verifiable X-Relay-Hmac; spoofed copies are dropped', async () => {
    const res = await request(`${gw.url}/echo?a=1`, {
      headers: {
        host: HOST,
        'x-dev-proxy-target': 'ysg',
        'x-relay-from': 'mallory',
        'x-relay-hmac': 'forged',
      },
    });
    assert.equal(await res.body.text(), 'local app: /echo?a=1 from ysg');
    const seen = local.seen.at(-1)!;
    assert.equal(seen.headers['x-relay-from'], 'ysg');
    assert.equal(seen.headers['x-dev-proxy-target'], undefined);
    const ts = String(seen.headers['x-relay-timestamp']);
    assert.equal(seen.headers['x-relay-hmac'], hmacHex(SECRET, `ysg:GET:/echo?a=1:${ts}`));
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  });

  test('select sets a cookie that routes the browser to the developer', async () => {
    const select = await call(gw, 'GET', '/api/v1/dev-proxy/select?developer=ysg');
    assert.equal(select.status, 200);
    const cookie = String(select.headers['set-cookie']).split(';')[0]!;
    assert.equal(cookie, 'gatehouse_dev_proxy=ysg');
    const res = await request(`${gw.url}/dashboard`, { headers: { host: HOST, cookie } });
    assert.equal(await res.body.text(), 'local app: /dashboard from ysg');
    assert.equal((await call(gw, 'GET', '/api/v1/dev-proxy/select?developer=nobody')).status, 404);
  });

  test('select shows a browser a page saying what the cookie does, for how long, and leading to the app', async () => {
    const cases: [query: string, link: string][] = [
      ['', '/'],
      ['&next=/dashboard?tab=1', '/dashboard?tab=1'],
      ['&next=//evil.example/', '/'],
      ['&next=/\\evil.example/', '/'],
      ['&next=https://evil.example/', '/'],
    ];
    for (const [query, link] of cases) {
      const res = await request(`${gw.url}/api/v1/dev-proxy/select?developer=ysg${query}`, {
        headers: { host: HOST, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      const html = await res.body.text();
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
      assert.match(String(res.headers['set-cookie']), /^gatehouse_dev_proxy=ysg; .*Max-Age=900/);
      assert.match(html, /For the next 15 minutes, requests from this browser to [^ ]+ go to developer ysg/);
      assert.ok(html.includes(`<a id="next" href="${link.replace(/&/g, '&#38;')}">Open the app</a>`), html);
    }
    const json = await call(gw, 'GET', '/api/v1/dev-proxy/select?developer=ysg');
    assert.deepEqual(json.body, { selected: 'ysg', expiresInSeconds: 900 });
    const words: [seconds: number, said: string][] = [
      [900, '15 minutes'],
      [60, '1 minute'],
      [3600, '1 hour'],
      [7200, '2 hours'],
      [90, '90 seconds'],
    ];
    for (const [seconds, said] of words) assert.equal(durationWords(seconds), said);
  });
});

describe('URL targets', () => {
  test('relays over https to the checked address; a name resolving inside the network is refused', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-relay-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cert = selfSigned(dir, 'dev', ['dev-ysg.trycloudflare.test', 'inside.trycloudflare.test']);
    const server = createHttpsServer(
      { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
      (req, res) =>
        res.end(`tls app: ${req.url} host=${req.headers.host} from=${req.headers['x-relay-from']}`),
    );
    t.after(() => server.close());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    // This test's "internet": one name is the TLS app above, one resolves to a private address.
    const resolve = async (host: string) =>
      host === 'dev-ysg.trycloudflare.test'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '10.0.0.7', family: 4 }];
    const gw = await startTestGateway({
      environment: 'dev',
      flags: { relay: true },
      env: { DEV_PROXY_SHARED_SECRET: SECRET },
      relayNetwork: { resolve, addressAllowed: (a) => a === '127.0.0.1', ca: readFileSync(cert.cert) },
    });
    t.after(() => gw.stop());
    const deployed = await startUpstream();
    t.after(() => deployed.close());
    await gw.addRoute({
      host: HOST,
      target: deployed.url,
      relay: { allowedTargets: ['*.trycloudflare.test'] },
    });
    const good = `https://dev-ysg.trycloudflare.test:${port}`;
    assert.equal(
      (
        await call(
          gw,
          'POST',
          '/api/v1/dev-proxy/register',
          signed({ tunnel_url: good, developer_id: 'ysg' }),
        )
      ).status,
      201,
    );
    const res = await request(`${gw.url}/hello`, { headers: { host: HOST, 'x-dev-proxy-target': 'ysg' } });
    assert.equal(await res.body.text(), `tls app: /hello host=dev-ysg.trycloudflare.test:${port} from=ysg`);

    const bad = `https://inside.trycloudflare.test:${port}`;
    assert.equal(
      (
        await call(
          gw,
          'POST',
          '/api/v1/dev-proxy/register',
          signed({ tunnel_url: bad, developer_id: 'mallory' }),
        )
      ).status,
      201,
    );
    const viaBad = await request(`${gw.url}/hello`, {
      headers: { host: HOST, 'x-dev-proxy-target': 'mallory', accept: 'application/json' },
    });
    assert.equal(viaBad.statusCode, 502);
    const answer = (await viaBad.body.json()) as { error: string; message: string };
    assert.equal(answer.error, 'RELAY_TARGET_UNREACHABLE');
    assert.match(answer.message, /non-public address/);
  });
});
