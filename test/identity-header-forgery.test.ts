import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { manualClock } from '../src/core/clock.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startTokenIssuer } from './helpers/token-issuer.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ISSUER = 'http://auth.test';

/** What a client adds to a valid request for alice to pass as someone else, or as nobody. */
const FORGERIES: Record<string, string> = {
  // Hop-by-hop removal would strip the identity the gateway sets, after it set it.
  connection: 'keep-alive, X-Auth-User, x-auth-assertion, X_Auth_Scopes',
  // CGI and WSGI servers read each of these as HTTP_X_AUTH_…, the gateway's own headers.
  X_Auth_User: 'oidc:admin',
  'X-Auth_Scopes': 'admin',
  x_auth_email: 'root@example.com',
  X_Forwarded_For: '6.6.6.6',
  'X-Forwarded_Host': 'evil.example.com',
  X_Relay_Signature: 'forged',
};

/** Headers whose CGI spelling is the same as the gateway's own, in what the upstream received. */
function forged(seen: Record<string, unknown>): string[] {
  return Object.keys(seen).filter((name) => name.includes('_'));
}

describe('a client cannot forge or strip identity headers, by Connection or by underscores', () => {
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
    agent = await startAgent(gw, await createTunnel(gw, 'forgery'), local.url);
    await gw.addRoute({ host: 'proxy.test', target: local.url, auth: { allow: ['github:alice'] } });
    await gw.addRoute({ host: 'tunnel.test', tunnel: 'forgery', auth: { allow: ['github:alice'] } });
    await gw.addRoute({ host: 'open.test', target: local.url });
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const wsUrl = `http://127.0.0.1:${(wss.address() as { port: number }).port}`;
    await gw.addRoute({ host: 'ws.test', target: wsUrl, auth: { allow: ['github:alice'] } });
  });
  after(async () => {
    agent.stop();
    wss.close();
    await gw.stop();
    await local.close();
  });

  for (const host of ['proxy.test', 'tunnel.test'])
    test(`${host}: the upstream sees alice, her scopes and an assertion, and nothing the client forged`, async () => {
      const token = await issuer.sign(`http://${host}`);
      const res = await gw.send(host, '/', { headers: { authorization: `Bearer ${token}`, ...FORGERIES } });
      assert.equal(res.status, 200, res.text);
      const seen = JSON.parse(res.text).headers as Record<string, unknown>;
      assert.equal(seen['x-auth-user'], 'github:alice');
      assert.ok(typeof seen['x-auth-assertion'] === 'string' && seen['x-auth-assertion'].length > 20);
      assert.notEqual(seen['x-auth-scopes'], 'admin');
      assert.deepEqual(forged(seen), []);
      assert.ok(!String(seen['x-forwarded-for']).includes('6.6.6.6'));
      assert.ok(
        !String(seen['connection'] ?? '')
          .toLowerCase()
          .includes('x-auth'),
      );
    });

  test('an open route drops the underscore spellings too', async () => {
    const res = await gw.send('open.test', '/', { headers: FORGERIES });
    assert.equal(res.status, 200, res.text);
    const seen = JSON.parse(res.text).headers as Record<string, unknown>;
    assert.deepEqual(forged(seen), []);
    assert.equal(seen['x-auth-user'], undefined);
  });

  test('a WebSocket upgrade keeps the identity the gateway set', async () => {
    const token = await issuer.sign('http://ws.test');
    const seen = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_socket, req) => resolve(req.headers)),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/live`, {
      headers: {
        host: 'ws.test',
        authorization: `Bearer ${token}`,
        connection: 'Upgrade, X-Auth-User',
        X_Auth_User: 'oidc:admin',
      },
    });
    await once(ws, 'open');
    const headers = await seen;
    ws.close();
    await once(ws, 'close');
    assert.equal(headers['x-auth-user'], 'github:alice');
    assert.deepEqual(forged(headers), []);
  });
});
