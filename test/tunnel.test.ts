import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { selfSigned } from './helpers/certs.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

describe('tunnel identities (admin API)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ flags: { 'tunnel-max-per-key': '5' } });
  });
  after(async () => gw.stop());

  test('create: 201 with the key once; listing shows a prefix, never the key', async () => {
    const res = await gw.api('POST', '/api/v1/tunnels/', { name: 'heron' });
    assert.equal(res.status, 201);
    assert.match(res.body.key, /^gt_/);
    assert.equal(res.body.url, `http://heron.localhost:${gw.port}`);
    assert.equal(res.body.online, false);
    const list = await gw.api('GET', '/api/v1/tunnels/');
    const entry = list.body.tunnels.find((t: { name: string }) => t.name === 'heron');
    assert.equal(entry.keyPrefix, res.body.key.slice(0, 9));
    assert.ok(!JSON.stringify(list.body).includes(res.body.key));
    assert.equal(entry.keyHash, undefined);
  });

  test('a readable random name when none is asked for', async () => {
    const res = await gw.api('POST', '/api/v1/tunnels/', {});
    assert.equal(res.status, 201);
    assert.match(res.body.name, /^[a-z]+-[a-z]+-\d{4}$/);
  });

  const bad: [name: string, status: number, code: string][] = [
    ['-leading', 400, 'TUNNEL_NAME_INVALID'],
    ['has.dot', 400, 'TUNNEL_NAME_INVALID'],
    ['a'.repeat(64), 400, 'TUNNEL_NAME_INVALID'],
    ['under_score', 400, 'TUNNEL_NAME_INVALID'],
    ['admin', 400, 'TUNNEL_NAME_INVALID'],
    ['connect', 400, 'TUNNEL_NAME_INVALID'],
    ['xn--abc', 400, 'TUNNEL_NAME_INVALID'],
  ];
  for (const [name, status, code] of bad) {
    test(`refuses the name ${JSON.stringify(name.slice(0, 20))}`, async () => {
      const res = await gw.api('POST', '/api/v1/tunnels/', { name });
      assert.equal(res.status, status);
      assert.equal(res.body.error, code);
      assert.equal(res.body.field, 'name');
      assert.equal((await gw.api('GET', `/api/v1/tunnels/${encodeURIComponent(name)}`)).status, 404);
    });
  }

  test('a name is never shared: a second create is 409 and keeps the first owner', async () => {
    await gw.api('POST', '/api/v1/tunnels/', { name: 'shared-name' });
    const other = await gw.api('POST', '/api/v1/keys/', { name: 'someone else' });
    const res = await gw.api('POST', '/api/v1/tunnels/', { name: 'shared-name' }, other.body.secret);
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'TUNNEL_NAME_TAKEN');
    assert.equal((await gw.api('GET', '/api/v1/tunnels/shared-name')).body.owner, 'env');
  });

  test('max tunnels per key: 429 past the limit', async () => {
    const key = (await gw.api('POST', '/api/v1/keys/', { name: 'limited' })).body.secret;
    for (let i = 0; i < 5; i++)
      assert.equal((await gw.api('POST', '/api/v1/tunnels/', { name: `lim-${i}` }, key)).status, 201);
    const res = await gw.api('POST', '/api/v1/tunnels/', { name: 'lim-5' }, key);
    assert.equal(res.status, 429);
    assert.equal(res.body.error, 'TUNNEL_LIMIT_REACHED');
  });

  test('delete: 204, then 404', async () => {
    await gw.api('POST', '/api/v1/tunnels/', { name: 'short-lived' });
    assert.equal((await gw.api('DELETE', '/api/v1/tunnels/short-lived')).status, 204);
    assert.equal((await gw.api('DELETE', '/api/v1/tunnels/short-lived')).status, 404);
  });
});

describe('traffic through a tunnel', () => {
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  let tunnel: { name: string; key: string };
  before(async () => {
    gw = await startTestGateway({
      flags: { 'tunnel-offline-wait': '0', 'tunnel-max-streams': '4', 'tunnel-max-body': '1000' },
    });
    local = await startUpstream();
    tunnel = await createTunnel(gw, 'otter');
    agent = await startAgent(gw, tunnel, local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await local.close();
  });

  test('GET and POST reach the local server with forwarding headers and its own Host', async () => {
    const get = await gw.send('otter.localhost', '/hello?x=1');
    assert.equal(get.status, 200);
    const seen = JSON.parse(get.text);
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.headers.host, `127.0.0.1:${local.port}`);
    assert.equal(seen.headers['x-forwarded-host'], 'otter.localhost');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    const post = await gw.send('otter.localhost:9999', '/submit', {
      method: 'POST',
      body: 'a=1&b=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const posted = JSON.parse(post.text);
    assert.equal(posted.method, 'POST');
    assert.equal(posted.body, 'a=1&b=2');
    assert.equal(posted.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test('the listing shows the tunnel online with its counters', async (t) => {
    // A tunnel of its own, so the counters hold only this test's traffic.
    const counted = await createTunnel(gw, 'counted-otter');
    const countedAgent = await startAgent(gw, counted, local.url);
    t.after(() => countedAgent.stop());
    assert.equal((await gw.send('counted-otter.localhost', '/one')).status, 200);
    assert.equal(
      (await gw.send('counted-otter.localhost', '/two', { method: 'POST', body: 'x' })).status,
      200,
    );
    const view = (await gw.api('GET', '/api/v1/tunnels/counted-otter')).body;
    assert.equal(view.online, true);
    assert.equal(view.agentVersion, 'test');
    assert.equal(view.transport, 'raw', 'agents connect on the raw upgrade by default');
    assert.equal(view.clientIp, '127.0.0.1');
    assert.equal(view.requests, 2);
    assert.equal(view.activeRequests, 0);
    assert.ok(Date.parse(view.connectedSince) <= Date.now());
  });

  test('connect and disconnect are in the audit trail', async (t) => {
    const audited = await createTunnel(gw, 'audited');
    const a = await startAgent(gw, audited, local.url);
    t.after(() => a.stop());
    assert.equal((await gw.send('audited.localhost', '/')).status, 200);
    a.stop();
    // The disconnect is seen by the server: the tunnel goes offline and its requests get 503.
    await waitFor(
      'the tunnel to be offline',
      async () => (await gw.api('GET', '/api/v1/tunnels/audited')).body.online === false,
    );
    assert.equal((await gw.send('audited.localhost', '/')).status, 503);
    const events = await waitFor('the disconnect in the audit trail', async () => {
      const listed = (await gw.api('GET', '/api/v1/tunnels/audited/events')).body.events;
      return listed.length >= 2 ? listed : undefined;
    });
    assert.deepEqual(
      events.map((e: { type: string }) => e.type),
      ['disconnect', 'connect'],
    );
    for (const event of events) {
      assert.equal(event.ip, '127.0.0.1');
      assert.equal(event.agentVersion, 'test');
    }
  });

  test('WebSocket echo through the tunnel', async (t) => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    t.after(() => wss.close());
    await once(wss, 'listening');
    wss.on('connection', (socket, req) =>
      socket.on('message', (m, binary) => socket.send(binary ? m : `${req.url}:${m}`, { binary })),
    );
    const wsTunnel = await createTunnel(gw, 'ws-tunnel');
    const wsAgent = await startAgent(
      gw,
      wsTunnel,
      `http://127.0.0.1:${(wss.address() as { port: number }).port}`,
    );
    t.after(() => wsAgent.stop());
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/room?id=7`, {
      headers: { host: 'ws-tunnel.localhost' },
    });
    t.after(() => ws.terminate());
    await once(ws, 'open');
    ws.send('ping');
    assert.equal(String((await once(ws, 'message'))[0]), '/room?id=7:ping');
    const big = Buffer.alloc(300_000, 3);
    ws.send(big);
    assert.deepEqual((await once(ws, 'message'))[0], big);
    ws.close();
    await once(ws, 'close');
  });

  test('server-sent events arrive one by one, and trailers pass', async (t) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sse = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', trailer: 'x-checksum' });
      res.write('data: one\n\n');
      await gate;
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end('data: two\n\n');
    });
    t.after(() => {
      sse.closeAllConnections();
      sse.close();
    });
    sse.listen(0, '127.0.0.1');
    await once(sse, 'listening');
    const sseTunnel = await createTunnel(gw, 'sse-tunnel');
    const sseAgent = await startAgent(
      gw,
      sseTunnel,
      `http://127.0.0.1:${(sse.address() as { port: number }).port}`,
    );
    t.after(() => sseAgent.stop());
    const res = await request(`${gw.url}/stream`, {
      headers: { host: 'sse-tunnel.localhost', te: 'trailers' },
    });
    assert.equal(res.headers['content-type'], 'text/event-stream');
    const it = res.body[Symbol.asyncIterator]();
    assert.equal(String((await it.next()).value), 'data: one\n\n');
    release();
    let rest = '';
    for (let n = await it.next(); !n.done; n = await it.next()) rest += String(n.value);
    assert.equal(rest, 'data: two\n\n');
    assert.equal(res.trailers['x-checksum'], 'abc123');
  });

  test('a local server that refuses: 502 naming the cause', async (t) => {
    const down = await startUpstream();
    const port = down.port;
    await down.close();
    const refusing = await createTunnel(gw, 'refusing');
    const a = await startAgent(gw, refusing, `http://127.0.0.1:${port}`);
    t.after(() => a.stop());
    const res = await gw.send('refusing.localhost', '/');
    assert.equal(res.status, 502);
    assert.match(res.text, /refused the connection/);
  });

  test('an offline tunnel answers 503 naming it and the command that brings it back', async () => {
    await createTunnel(gw, 'sleepy');
    const res = await gw.send('sleepy.localhost', '/', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.text), {
      error: 'TUNNEL_NOT_CONNECTED',
      message:
        'Tunnel sleepy is offline: no agent is connected for it. Where its local server runs, start it with: ' +
        `gatehouse tunnel <local port> --server http://localhost:${gw.port} --name sleepy`,
      docs: 'docs/reference/errors.md#tunnel_not_connected',
    });
    // A browser gets the same as a page, titled for what happened.
    const page = await gw.send('sleepy.localhost', '/', { headers: { accept: 'text/html' } });
    assert.match(page.text, /<title>Tunnel offline<\/title>/);
    assert.match(page.text, /gatehouse tunnel &#60;local port&#62; --server/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  });

  test('limits: request body over the maximum → 413; streams over the maximum → 429', async (t) => {
    const big = await gw.send('otter.localhost', '/', { method: 'POST', body: 'x'.repeat(2000) });
    assert.equal(big.status, 413);
    const slowLocal = await startUpstream(() => {});
    t.after(() => slowLocal.close());
    const busy = await createTunnel(gw, 'busy');
    const a = await startAgent(gw, busy, slowLocal.url);
    t.after(() => a.stop());
    const hanging = Array.from({ length: 4 }, () =>
      request(`${gw.url}/`, { headers: { host: 'busy.localhost' } }).catch(() => undefined),
    );
    // All four streams are open once the local server holds all four requests.
    await waitFor('four requests at the local server', () => slowLocal.seen.length === 4);
    const refused = await gw.send('busy.localhost', '/', { headers: { accept: 'application/json' } });
    assert.equal(refused.status, 429);
    assert.equal(JSON.parse(refused.text).error, 'TUNNEL_LIMIT_REACHED');
    a.stop();
    await Promise.all(hanging);
  });
});

describe('tunnel connections', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ flags: { 'tunnel-offline-wait': '3000' } });
  });
  after(async () => gw.stop());

  test('two agents for one name: the newest wins, and the dropped one’s cleanup does not remove it', async (t) => {
    const first = await startUpstream((_req, res) => res.end('first'));
    t.after(() => first.close());
    const second = await startUpstream((_req, res) => res.end('second'));
    t.after(() => second.close());
    const race = await createTunnel(gw, 'race');
    // The first agent retries only after a long backoff, so the newcomer is not kicked back at once.
    const a = await startAgent(gw, race, first.url, { backoffBaseMs: 60_000 });
    t.after(() => a.stop());
    assert.equal((await gw.send('race.localhost', '/')).text, 'first');
    const dropped = once(a, 'offline');
    const b = await startAgent(gw, race, second.url);
    t.after(() => b.stop());
    await dropped;
    // The server has run the replaced connection's cleanup once its disconnect is in the audit trail.
    await waitFor('the replaced connection’s disconnect', async () =>
      (await gw.api('GET', '/api/v1/tunnels/race/events')).body.events.some(
        (e: { type: string; reason?: string }) =>
          e.type === 'disconnect' && e.reason === 'replaced by a newer connection',
      ),
    );
    for (let i = 0; i < 5; i++) assert.equal((await gw.send('race.localhost', '/')).text, 'second');
    assert.equal((await gw.api('GET', '/api/v1/tunnels/race')).body.online, true);
  });

  test('a request for an offline tunnel waits for its agent to come back', async (t) => {
    const local = await startUpstream((_req, res) => res.end('back'));
    t.after(() => local.close());
    const returning = await createTunnel(gw, 'returning');
    const waiting = once(gw.gateway.tunnels.registry, 'waiting');
    const pending = gw.send('returning.localhost', '/');
    assert.deepEqual(await waiting, ['returning'], 'the request waits for its tunnel');
    const a = await startAgent(gw, returning, local.url);
    t.after(() => a.stop());
    assert.equal((await pending).text, 'back');
  });

  test('a bad or rotated key: refused before the upgrade, and the agent stops', async (t) => {
    const local = await startUpstream();
    t.after(() => local.close());
    const rotating = await createTunnel(gw, 'rotating');
    const a = await startAgent(gw, rotating, local.url);
    t.after(() => a.stop());
    const rotated = await gw.api('POST', '/api/v1/tunnels/rotating/rotate-key');
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.key, rotating.key);
    assert.equal(rotated.body.url, `http://rotating.localhost:${gw.port}`, 'the URL does not change');
    const [reason] = await once(a, 'fatal');
    assert.equal(reason.kind, 'bad-key');
    assert.match(reason.message, /rotated/);
    const events = (await gw.api('GET', '/api/v1/tunnels/rotating/events')).body.events;
    assert.deepEqual(
      events.slice(0, 3).map((e: { type: string }) => e.type),
      ['rejected', 'disconnect', 'connect'],
    );
    const fresh = await startAgent(gw, { name: 'rotating', key: rotated.body.key }, local.url);
    t.after(() => fresh.stop());
    assert.equal((await gw.send('rotating.localhost', '/')).status, 200);
  });

  test('an unknown tunnel name: refused with 404 and the agent says so', async (t) => {
    const agent = new TunnelAgent({
      server: new URL(gw.url),
      name: 'nobody-here',
      key: 'gt_x',
      local: { url: new URL('http://127.0.0.1:1'), preserveHost: false, captureBytes: 0 },
      version: 'test',
    });
    t.after(() => agent.stop());
    agent.start();
    const [reason] = await once(agent, 'fatal');
    assert.equal(reason.kind, 'no-such-tunnel');
  });

  test('random and truncated bytes on a tunnel socket never crash the server', async (t) => {
    const local = await startUpstream();
    t.after(() => local.close());
    const noisy = await createTunnel(gw, 'noisy');
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/api/v1/tunnels/connect`, {
        headers: { host: 'localhost', authorization: `Bearer ${noisy.key}`, 'gatehouse-tunnel': 'noisy' },
      });
      ws.on('error', () => {});
      t.after(() => ws.terminate());
      await once(ws, 'open');
      const junk =
        i % 2 === 0
          ? Buffer.from(crypto.getRandomValues(new Uint8Array(1 + i * 97)))
          : Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n').subarray(0, i);
      // Dropped only once the bytes have left; then the next connection starts after this one ended.
      const sent = (data: Buffer | string) => new Promise<void>((resolve) => ws.send(data, () => resolve()));
      await sent(junk);
      if (i % 3 === 0) await sent('text frame');
      if (ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise((resolve) => ws.once('close', resolve));
        ws.terminate();
        await closed;
      }
    }
    const a = await startAgent(gw, noisy, local.url);
    t.after(() => a.stop());
    assert.equal((await gw.send('noisy.localhost', '/')).status, 200);
    assert.equal((await gw.send('localhost', '/healthz')).status, 200);
  });
});

/** Sends a raw tunnel upgrade by hand and returns the socket with the response head read. */
async function rawUpgrade(
  gw: TestGateway,
  t: { name: string; key: string },
  upgrade = 'gatehouse-tunnel/1',
): Promise<{ socket: Socket; head: string }> {
  const socket = connect(gw.port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(
    `GET /api/v1/tunnels/connect HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: ${upgrade}\r\n` +
      `authorization: Bearer ${t.key}\r\ngatehouse-tunnel: ${t.name}\r\n\r\n`,
  );
  let received = '';
  while (!received.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received += chunk.toString('latin1');
  }
  return { socket, head: received };
}

describe('tunnel transports', () => {
  let gw: TestGateway;
  let local: Upstream;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream();
  });
  after(async () => {
    await gw.stop();
    await local.close();
  });

  test('the websocket transport carries the same traffic, and the listing names it', async (t) => {
    const wrapped = await createTunnel(gw, 'wrapped');
    const agent = await startAgent(gw, wrapped, local.url, { transport: 'websocket' });
    t.after(() => agent.stop());
    const body = 'x'.repeat(300_000);
    const res = await gw.send('wrapped.localhost', '/through-ws', { method: 'POST', body });
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.text);
    assert.equal(seen.url, '/through-ws');
    assert.equal(seen.body.length, body.length);
    assert.equal((await gw.api('GET', '/api/v1/tunnels/wrapped')).body.transport, 'websocket');
  });

  test('an upgrade to another protocol is refused with 400 naming it, before anything switches', async (t) => {
    const picky = await createTunnel(gw, 'picky');
    const { socket, head } = await rawUpgrade(gw, picky, 'h2c');
    t.after(() => socket.destroy());
    assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    await once(socket, 'close');
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`http://127.0.0.1:${gw.port}/api/v1/tunnels/connect`, {
        headers: {
          host: 'localhost',
          connection: 'Upgrade',
          upgrade: 'h2c',
          authorization: `Bearer ${picky.key}`,
          'gatehouse-tunnel': 'picky',
        },
      });
      req.on('error', reject);
      req.on('response', async (r) => resolve({ status: r.statusCode ?? 0, body: await text(r) }));
      req.end();
    });
    assert.equal(res.status, 400);
    const error = JSON.parse(res.body);
    assert.equal(error.error, 'TUNNEL_UPGRADE_INVALID');
    assert.match(error.message, /gatehouse-tunnel\/1.*"h2c"/);
  });

  test('random and truncated bytes after a raw upgrade never crash the server', async (t) => {
    const noisy = await createTunnel(gw, 'noisy-raw');
    for (let i = 0; i < 20; i++) {
      const { socket, head } = await rawUpgrade(gw, noisy);
      t.after(() => socket.destroy());
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, /\r\nupgrade: gatehouse-tunnel\/1\r\n/i);
      const junk =
        i % 2 === 0
          ? Buffer.from(crypto.getRandomValues(new Uint8Array(1 + i * 97)))
          : Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n').subarray(0, i);
      // Closed only once the bytes have left; then the next connection starts after this one ended.
      await new Promise<void>((resolve) => socket.write(junk, () => resolve()));
      if (!socket.closed) {
        const closed = new Promise((resolve) => socket.once('close', resolve));
        if (i % 3 === 0) socket.end();
        else socket.destroy();
        await closed;
      }
    }
    const agent = await startAgent(gw, noisy, local.url);
    t.after(() => agent.stop());
    assert.equal((await gw.send('noisy-raw.localhost', '/')).status, 200);
    assert.equal((await gw.send('localhost', '/healthz')).status, 200);
  });
});

describe('tunnels over TLS, Host handling and metrics', () => {
  test('an agent connects over wss:// to a TLS edge, and public https requests reach it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ttls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cert = selfSigned(dir, 'edge', ['localhost', '*.localhost']);
    const gw = await startTestGateway({
      flags: { 'tls-cert': cert.cert, 'tls-key': cert.key, 'tls-port': '0' },
    });
    t.after(() => gw.stop());
    const local = await startUpstream();
    t.after(() => local.close());
    const secure = await createTunnel(gw, 'secure');
    assert.equal(secure.url, `https://secure.localhost:${gw.gateway.httpsPort}`);
    const agent = await startAgent(gw, secure, local.url, {
      server: `https://localhost:${gw.gateway.httpsPort}`,
      ca: readFileSync(cert.cert),
      preserveHost: true,
    });
    t.after(() => agent.stop());
    const res = await request(`https://127.0.0.1:${gw.gateway.httpsPort}/over-tls`, {
      headers: { host: 'secure.localhost' },
      dispatcher: new Agent({ connect: { rejectUnauthorized: false, servername: 'secure.localhost' } }),
    });
    const seen = JSON.parse(await res.body.text());
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers.host, 'secure.localhost', '--preserve-host keeps the public Host');
  });

  test('metrics count requests and bytes per tunnel', async (t) => {
    const gw = await startTestGateway();
    t.after(() => gw.stop());
    const local = await startUpstream((_req, res) => res.end('0123456789'));
    t.after(() => local.close());
    const counted = await createTunnel(gw, 'counted');
    const agent = await startAgent(gw, counted, local.url);
    t.after(() => agent.stop());
    await gw.send('counted.localhost', '/', { method: 'POST', body: 'abcde' });
    await gw.send('counted.localhost', '/');
    const metrics = (await gw.send('localhost', '/metrics')).text;
    assert.match(metrics, /gatehouse_tunnel_requests_total\{tunnel="counted",status="200"\} 2/);
    assert.match(metrics, /gatehouse_tunnel_bytes_total\{tunnel="counted",direction="in"\} 5/);
    assert.match(metrics, /gatehouse_tunnel_bytes_total\{tunnel="counted",direction="out"\} 20/);
    assert.match(metrics, /gatehouse_tunnels_online 1/);
  });
});

async function text(res: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return body;
}
