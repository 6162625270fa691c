import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { manualClock } from '../src/core/clock.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startRedis } from './helpers/redis.ts';
import { startTokenIssuer } from './helpers/token-issuer.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ISSUER = 'http://auth.test';

describe('identity headers are removed on tunnels and upgrades too', () => {
  const clock = manualClock();
  let issuer: Awaited<ReturnType<typeof startTokenIssuer>>;
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  let wss: WebSocketServer;

  before(async () => {
    issuer = await startTokenIssuer(ISSUER, clock);
    gw = await startTestGateway({ clock, routeAuth: issuer.routeAuth });
    local = await startUpstream();
    agent = await startAgent(gw, await createTunnel(gw, 'authtun'), local.url);
    await gw.addRoute({ host: 'tun.test', tunnel: 'authtun' });
    await gw.addRoute({ host: 'ptun.test', tunnel: 'authtun', auth: { allow: ['github:alice'] } });
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const wsUrl = `http://127.0.0.1:${(wss.address() as { port: number }).port}`;
    await gw.addRoute({ host: 'ws-open.test', target: wsUrl });
    await gw.addRoute({ host: 'ws-auth.test', target: wsUrl, auth: { allow: ['github:alice'] } });
  });
  after(async () => {
    agent.stop();
    wss.close();
    await gw.stop();
    await local.close();
  });

  test('a tunnel route and a tunnel’s own host drop them', async () => {
    for (const host of ['tun.test', 'authtun.localhost']) {
      const res = await gw.send(host, '/', {
        headers: { 'X-Auth-User': 'github:alice', 'x-auth-scopes': 'admin' },
      });
      assert.equal(res.status, 200, host);
      const seen = JSON.parse(res.text).headers;
      assert.equal(seen['x-auth-user'], undefined, host);
      assert.equal(seen['x-auth-scopes'], undefined, host);
    }
  });

  test('a protected tunnel route sends the gateway’s identity down the tunnel', async () => {
    const refused = await gw.send('ptun.test', '/', {
      headers: { 'x-auth-user': 'github:alice', accept: 'application/json' },
    });
    assert.equal(refused.status, 401);
    const token = await issuer.sign('http://ptun.test');
    const res = await gw.send('ptun.test', '/', {
      headers: { authorization: `Bearer ${token}`, 'X-AUTH-USER': 'github:mallory' },
    });
    assert.equal(res.status, 200, res.text);
    const seen = JSON.parse(res.text).headers;
    assert.equal(seen['x-auth-user'], 'github:alice');
    assert.equal(seen.authorization, undefined);
  });

  const upgradeHeaders = async (host: string, headers: Record<string, string>) => {
    const seen = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_socket, req) => resolve(req.headers)),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/live`, { headers: { host, ...headers } });
    await once(ws, 'open');
    const result = await seen;
    ws.close();
    await once(ws, 'close');
    return result;
  };

  test('a WebSocket upgrade on an open route drops them', async () => {
    const seen = await upgradeHeaders('ws-open.test', {
      'X-Auth-User': 'github:alice',
      'x-AUTH-email': 'a@b.c',
    });
    assert.equal(seen['x-auth-user'], undefined);
    assert.equal(seen['x-auth-email'], undefined);
  });

  test('a WebSocket upgrade on a protected route needs a token and carries the gateway’s identity', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${gw.port}/live`, { headers: { host: 'ws-auth.test' } });
    refused.on('error', () => {});
    const [, res] = (await once(refused, 'unexpected-response')) as [
      unknown,
      { statusCode: number; headers: Record<string, string> },
    ];
    assert.equal(res.statusCode, 401);
    assert.match(
      res.headers['www-authenticate'] ?? '',
      /resource_metadata="http:\/\/ws-auth\.test\/\.well-known\/oauth-protected-resource"/,
    );
    refused.terminate();
    const token = await issuer.sign('http://ws-auth.test');
    const seen = await upgradeHeaders('ws-auth.test', {
      authorization: `Bearer ${token}`,
      'x-auth-user': 'github:mallory',
    });
    assert.equal(seen['x-auth-user'], 'github:alice');
  });
});

describe('without an authorization server', () => {
  test('a protected route answers 503 and never lets a request through unchecked', async (t) => {
    const up = await startUpstream();
    t.after(() => up.close());
    // A shared store without GATEHOUSE_SECRET_KEY: the authorization server cannot start.
    const redis = await startRedis();
    t.after(() => redis.stop());
    const gw = await startTestGateway({ flags: { store: redis.url } });
    t.after(() => gw.stop());
    await gw.addRoute({ host: 'locked.test', target: up.url, auth: { allow: ['*'] } });
    const res = await gw.send('locked.test', '/', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text).error, 'AUTH_UNAVAILABLE');
    assert.equal(up.seen.length, 0);
  });
});

describe('browsers and CORS preflights', () => {
  test('a browser without a token goes to the injected login hook; an API client still gets 401', async (t) => {
    const clock = manualClock();
    const issuer = await startTokenIssuer(ISSUER, clock);
    const up = await startUpstream();
    t.after(() => up.close());
    const gw = await startTestGateway({
      clock,
      routeAuth: {
        ...issuer.routeAuth,
        onNoSession: (exchange) => {
          if (exchange.type !== 'request') throw new Error('browsers only');
          exchange.res
            .writeHead(302, { location: `http://auth.test/login?return_to=${exchange.target.path}` })
            .end();
        },
      },
    });
    t.after(() => gw.stop());
    await gw.addRoute({ host: 'web.test', target: up.url, auth: { allow: ['*'] } });
    await gw.addRoute({ host: 'cors.test', target: up.url, auth: { allow: ['*'], corsPreflight: true } });
    const browser = await gw.send('web.test', '/page', {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers['location'], 'http://auth.test/login?return_to=/page');
    const post = await gw.send('web.test', '/page', {
      method: 'POST',
      headers: { accept: 'text/html' },
      body: 'x',
    });
    assert.equal(post.status, 401, 'only a GET is sent to log in');
    assert.equal(
      (await gw.send('web.test', '/page', { headers: { accept: 'application/json' } })).status,
      401,
    );

    const preflight = { origin: 'https://client.example', 'access-control-request-method': 'POST' };
    assert.equal((await gw.send('web.test', '/mcp', { method: 'OPTIONS', headers: preflight })).status, 401);
    const passed = await gw.send('cors.test', '/mcp', { method: 'OPTIONS', headers: preflight });
    assert.equal(passed.status, 200, 'the upstream answers its own preflights');
    assert.equal(up.seen.length, 1);
    assert.equal(
      (await gw.send('cors.test', '/mcp', { method: 'OPTIONS' })).status,
      401,
      'a bare OPTIONS is no preflight',
    );
  });
});
