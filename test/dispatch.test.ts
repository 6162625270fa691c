import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, type TestContext, test } from 'node:test';
import { request } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../src/core/logger.ts';
import { Metrics } from '../src/core/metrics.ts';
import { createDispatcher, type DispatchDeps } from '../src/edge/dispatcher.ts';
import type { Guard } from '../src/routes/guard.ts';
import type { Mount } from '../src/routes/mount.ts';
import type { UpstreamRoute } from '../src/routes/route.ts';
import type { RouteHandler } from '../src/routes/route-handler.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream } from './helpers/upstream.ts';

const route = { kind: 'proxy', id: 'r1', host: 'app.test', path: '/' } as UpstreamRoute;

/** A dispatcher on a loopback port whose handlers say who answered, closed when the test ends. */
async function startDispatcher(
  t: TestContext,
  overrides: Partial<DispatchDeps>,
): Promise<{ url: string; port: number; server: Server }> {
  const named = (name: string): RouteHandler => ({
    request: async ({ res }) => {
      res.end(name);
    },
    upgrade: async ({ socket, done }) => {
      socket.end(
        `HTTP/1.1 418 I'm a teapot\r\ncontent-length: ${name.length}\r\nconnection: close\r\n\r\n${name}`,
      );
      done(418);
    },
  });
  const handlers = {
    proxy: named('proxy'),
    relay: named('relay'),
    tunnel: named('tunnel'),
    static: named('static'),
    'fleet-proxy': named('fleet-proxy'),
    'fleet-login': named('fleet-login'),
    mcp: named('mcp'),
  };
  const dispatcher = createDispatcher({
    mounts: [],
    resolve: (host) => (host === 'app.test' ? { kind: 'proxy', route } : undefined),
    guards: () => [],
    handlers,
    adminHosts: new Set(['admin.test']),
    logger: createLogger('silent'),
    metrics: new Metrics(),
    ...overrides,
  });
  const server = createServer(dispatcher.request);
  server.on('upgrade', dispatcher.upgrade);
  t.after(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, server };
}

async function get(url: string, host: string, path = '/') {
  const res = await request(`${url}${path}`, { headers: { host, accept: 'application/json' } });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('dispatch', () => {
  test('a mount on every host answers its paths before routing; other paths are routed', async (t) => {
    const mount: Mount = {
      kind: 'acme',
      hosts: 'any',
      paths: { prefixes: ['/.well-known/acme-challenge'] },
      request: ({ res, host }) => {
        res.end(`challenge for ${host}`);
      },
    };
    const { url } = await startDispatcher(t, { mounts: [mount] });
    assert.deepEqual(await get(url, 'app.test', '/.well-known/acme-challenge/tok'), {
      status: 200,
      text: 'challenge for app.test',
    });
    assert.equal(
      (await get(url, 'other.test', '/.well-known/acme-challenge/tok')).text,
      'challenge for other.test',
    );
    assert.equal((await get(url, 'app.test', '/.well-known/acme-challengex')).text, 'proxy');
  });

  test('an admin-host mount answers only on the admin hosts, and only the exchange types it declares', async (t) => {
    const mount: Mount = {
      kind: 'admin',
      hosts: 'admin',
      paths: { exact: ['/healthz'] },
      request: ({ res }) => {
        res.end('admin');
      },
    };
    const { url, port } = await startDispatcher(t, {
      mounts: [mount],
      resolve: (host) => (host === 'ghost.test' ? undefined : { kind: 'proxy', route }),
    });
    assert.equal((await get(url, 'admin.test', '/healthz')).text, 'admin');
    assert.equal((await get(url, 'app.test', '/healthz')).text, 'proxy');
    // An upgrade to the same path is routed, since the mount has no upgrade handler.
    const raw = await rawExchange(
      port,
      'GET /healthz HTTP/1.1\r\nhost: admin.test\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 418 /);
  });

  test('requests and upgrades to no route both get 404 ROUTE_NOT_FOUND as JSON', async (t) => {
    const { url, port } = await startDispatcher(t, {});
    const plain = await get(url, 'ghost.test', '/x');
    assert.equal(plain.status, 404);
    assert.equal(JSON.parse(plain.text).error, 'ROUTE_NOT_FOUND');
    const raw = await rawExchange(
      port,
      'GET /x HTTP/1.1\r\nhost: ghost.test\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(raw, /content-type: application\/json/);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error, 'ROUTE_NOT_FOUND');
  });

  test('guards run in order before the handler; one that answers stops the rest', async (t) => {
    const seen: string[] = [];
    const pass: Guard = () => {
      seen.push('first');
      return 'pass';
    };
    const refuse: Guard = (exchange) => {
      seen.push('second');
      if (exchange.req.headers['x-let-me-in'] === 'yes') return 'pass';
      if (exchange.type === 'request') exchange.res.writeHead(401).end('refused by guard');
      else exchange.socket.destroy();
      return 'answered';
    };
    const never: Guard = () => {
      seen.push('third');
      return 'pass';
    };
    const { url } = await startDispatcher(t, { guards: () => [pass, refuse, never] });
    const refused = await get(url, 'app.test');
    assert.deepEqual(refused, { status: 401, text: 'refused by guard' });
    assert.deepEqual(seen, ['first', 'second']);
    seen.length = 0;
    const res = await request(`${url}/`, { headers: { host: 'app.test', 'x-let-me-in': 'yes' } });
    assert.equal(await res.body.text(), 'proxy');
    assert.deepEqual(seen, ['first', 'second', 'third']);
  });

  test('a handler that throws gets 500 INTERNAL and the server keeps serving', async (t) => {
    const broken: RouteHandler = {
      request: async () => {
        throw new Error('boom');
      },
      upgrade: async () => {
        throw new Error('boom');
      },
    };
    const { url, port } = await startDispatcher(t, {
      handlers: {
        proxy: broken,
        relay: broken,
        tunnel: broken,
        static: broken,
        'fleet-proxy': broken,
        'fleet-login': broken,
        mcp: broken,
      },
    });
    const res = await get(url, 'app.test');
    assert.equal(res.status, 500);
    assert.equal(JSON.parse(res.text).error, 'INTERNAL');
    const raw = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nhost: app.test\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 500 /);
    assert.equal((await get(url, 'app.test')).status, 500);
  });
});

describe('upgrades take the same path as requests', () => {
  const SECRET = 'relay-shared-secret-for-tests';
  let gw: TestGateway;
  const wss = new WebSocketServer({ noServer: true });
  before(async () => {
    gw = await startRelayGateway(SECRET, { 'tunnel-offline-wait': '5000' });
  });
  after(async () => {
    wss.close();
    await gw.stop();
  });

  /** A local server that accepts WebSockets and says which request headers it got. */
  async function echoHeaders() {
    const local = await startUpstream();
    local.server.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify(req.headers)));
    });
    return local;
  }

  test('an upgrade to an offline tunnel waits for its agent, as a request does', async (t) => {
    const local = await echoHeaders();
    t.after(() => local.close());
    const tunnel = await createTunnel(gw, 'ws-late');
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/`, { headers: { host: 'ws-late.localhost' } });
    t.after(() => ws.close());
    const message = once(ws, 'message');
    // The agent comes online only after the upgrade is waiting at the gateway.
    await once(gw.gateway.tunnels.registry, 'waiting');
    const agent = await startAgent(gw, tunnel, local.url);
    t.after(() => agent.stop());
    const [data] = await message;
    assert.equal(JSON.parse(String(data)).host, new URL(local.url).host);
  });

  test('an upgrade to a tunnel that stays offline gets 503 TUNNEL_NOT_CONNECTED as JSON', async (t) => {
    const quick = await startTestGateway({ flags: { 'tunnel-offline-wait': '0' } });
    t.after(() => quick.stop());
    await createTunnel(quick, 'ws-gone');
    const raw = await rawExchange(
      quick.port,
      'GET / HTTP/1.1\r\nhost: ws-gone.localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 503 /);
    assert.match(raw, /content-type: application\/json/);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error, 'TUNNEL_NOT_CONNECTED');
  });

  test('an upgrade on a relay route follows the developer cookie to their tunnel, signed, forged headers dropped', async (t) => {
    const deployed = await startUpstream();
    t.after(() => deployed.close());
    let deployedUpgrades = 0;
    deployed.server.on('upgrade', (_req, socket) => {
      deployedUpgrades++;
      socket.destroy();
    });
    await gw.addRoute({ host: 'relay.example.test', target: deployed.url, relay: {} });
    const local = await echoHeaders();
    t.after(() => local.close());
    const tunnel = await createTunnel(gw, 'dev-ws');
    const agent = await startAgent(gw, tunnel, local.url);
    t.after(() => agent.stop());
    await registerTunnel(gw, { host: 'relay.example.test', secret: SECRET }, 'dev-ws', 'wsdev');
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/socket`, {
      headers: {
        host: 'relay.example.test',
        cookie: 'gatehouse_dev_proxy=wsdev',
        'x-relay-from': 'forged',
        'x-relay-hmac': 'forged',
      },
    });
    t.after(() => ws.close());
    const [data] = await once(ws, 'message');
    const headers = JSON.parse(String(data));
    assert.equal(headers['x-relay-from'], 'wsdev');
    assert.match(headers['x-relay-hmac'], /^[0-9a-f]{64}$/);
    assert.equal(deployedUpgrades, 0, 'the deployed app saw nothing');
  });
});
