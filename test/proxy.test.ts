import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawGet } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

describe('proxy', () => {
  let gw: TestGateway;
  let up: Upstream;
  before(async () => {
    gw = await startTestGateway();
    up = await startUpstream();
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  test('routes added, changed and deleted while traffic flows', async () => {
    const other = await startUpstream((_req, res) => res.end('from B'));
    const statuses: string[] = [];
    let running = true;
    const traffic = (async () => {
      while (running) {
        const r = await gw.send('live.test', '/x');
        statuses.push(r.status === 200 ? (r.text === 'from B' ? 'B' : 'A') : String(r.status));
      }
    })();
    // Each phase lasts until the traffic has been answered in it.
    const trafficSees = (phase: string) =>
      waitFor(`traffic answered ${phase}`, () => statuses.at(-1) === phase);
    try {
      await trafficSees('404');
      const route = await gw.addRoute({ host: 'live.test', target: up.url });
      // The write answered: the very next request must be routed.
      assert.equal((await gw.send('live.test', '/x')).status, 200);
      await trafficSees('A');
      await gw.api('PATCH', `/api/v1/routes/${route.id}`, { target: other.url });
      assert.equal((await gw.send('live.test', '/x')).text, 'from B');
      await trafficSees('B');
      await gw.api('DELETE', `/api/v1/routes/${route.id}`);
      assert.equal((await gw.send('live.test', '/x')).status, 404);
      await trafficSees('404');
    } finally {
      running = false;
      await traffic;
      await other.close();
    }
    // Every request got an answer, and the answers moved 404 → A → B → 404 in order.
    const phases = statuses.filter((s, i) => i === 0 || s !== statuses[i - 1]);
    assert.deepEqual(phases, ['404', 'A', 'B', '404']);
  });

  test('forwarding headers, hop-by-hop removal, header rules, query kept', async () => {
    await gw.addRoute({
      host: 'hdr.test',
      target: up.url,
      requestHeaders: { set: { 'x-added': 'yes' }, remove: ['x-secret'] },
      responseHeaders: { set: { 'x-frame-options': 'DENY' }, remove: ['x-upstream'] },
    });
    // node:http, because undici refuses to send Connection and Keep-Alive itself.
    const res = await rawGet(gw.port, '/q?a=1&b=%20', {
      host: 'hdr.test:1234',
      'x-forwarded-for': '6.6.6.6',
      'x-secret': 's',
      connection: 'x-hop, keep-alive',
      'x-hop': 'drop me',
      'keep-alive': 'timeout=5',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-upstream'], undefined);
    const seen = JSON.parse(res.text);
    assert.equal(seen.url, '/q?a=1&b=%20');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1', 'a client cannot spoof its address');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'hdr.test:1234');
    assert.equal(seen.headers.forwarded, 'for=127.0.0.1;host="hdr.test:1234";proto=http');
    assert.equal(seen.headers.host, `127.0.0.1:${up.port}`);
    assert.equal(seen.headers['x-added'], 'yes');
    assert.equal(seen.headers['x-secret'], undefined);
    assert.equal(seen.headers['x-hop'], undefined);
    assert.equal(seen.headers['keep-alive'], undefined);
  });

  test('strip prefix, target base path and preserved Host', async () => {
    await gw.addRoute({
      host: 'strip.test',
      path: '/api',
      stripPrefix: true,
      target: `${up.url}/v1`,
      preserveHost: true,
    });
    const seen = JSON.parse((await gw.send('strip.test', '/api/users?id=2')).text);
    assert.equal(seen.url, '/v1/users?id=2');
    assert.equal(seen.headers.host, 'strip.test');
    const root = JSON.parse((await gw.send('strip.test', '/api')).text);
    assert.equal(root.url, '/v1/');
  });

  test('request and response bodies pass through with their method', async () => {
    await gw.addRoute({ host: 'body.test', target: up.url });
    const res = await gw.send('body.test', '/p', {
      method: 'PUT',
      body: 'hello body',
      headers: { 'content-type': 'text/plain' },
    });
    const seen = JSON.parse(res.text);
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.body, 'hello body');
  });

  test('no route: 404 page, JSON when asked', async () => {
    const html = await gw.send('nowhere.test', '/');
    assert.equal(html.status, 404);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.text, /No route serves nowhere\.test\//);
    const json = await gw.send('nowhere.test', '/', { headers: { accept: 'application/json' } });
    assert.deepEqual(JSON.parse(json.text), {
      error: 'ROUTE_NOT_FOUND',
      message: 'No route serves nowhere.test/.',
      docs: 'docs/reference/errors.md#route_not_found',
    });
  });

  test('upstream refused → 502, reset → 502, hang → 504 within its timeout', async (t) => {
    const closed = await startUpstream();
    const deadPort = closed.port;
    await closed.close();
    await gw.addRoute({ host: 'refused.test', target: `http://127.0.0.1:${deadPort}` });
    const refused = await gw.send('refused.test', '/', { headers: { accept: 'application/json' } });
    assert.equal(refused.status, 502);
    assert.equal(JSON.parse(refused.text).error, 'UPSTREAM_UNREACHABLE');
    assert.doesNotMatch(refused.text, new RegExp(String(deadPort)), 'the upstream address is not disclosed');

    const resetting = await startUpstream((req) => req.socket.destroy());
    t.after(() => resetting.close());
    await gw.addRoute({ host: 'reset.test', target: resetting.url });
    const reset = await gw.send('reset.test', '/');
    assert.equal(reset.status, 502);

    const hanging = await startUpstream(() => {});
    t.after(() => hanging.close());
    await gw.addRoute({ host: 'hang.test', target: hanging.url, timeouts: { responseMs: 300 } });
    const started = Date.now();
    const hung = await gw.send('hang.test', '/', { headers: { accept: 'application/json' } });
    assert.equal(hung.status, 504);
    assert.equal(JSON.parse(hung.text).error, 'UPSTREAM_TIMEOUT');
    assert.ok(Date.now() - started < 3000, 'the client is not held past the timeout');
  });

  test('an upstream that stalls mid-body is cut after its idle timeout', async (t) => {
    const stalling = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    t.after(() => stalling.close());
    await gw.addRoute({ host: 'stall.test', target: stalling.url, timeouts: { idleMs: 300 } });
    const res = await request(`${gw.url}/`, { headers: { host: 'stall.test' } });
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.text());
  });

  test('WebSocket echo through the proxy', async (t) => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    t.after(() => wss.close());
    await once(wss, 'listening');
    wss.on('connection', (socket, req) => {
      socket.on('message', (data, isBinary) =>
        socket.send(isBinary ? data : `echo:${data}:${req.url}`, { binary: isBinary }),
      );
    });
    const port = (wss.address() as { port: number }).port;
    await gw.addRoute({ host: 'ws.test', target: `http://127.0.0.1:${port}` });
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/chat?room=1`, { headers: { host: 'ws.test' } });
    t.after(() => ws.terminate());
    await once(ws, 'open');
    ws.send('hi');
    const [text] = await once(ws, 'message');
    assert.equal(String(text), 'echo:hi:/chat?room=1');
    const blob = Buffer.alloc(256 * 1024, 7);
    ws.send(blob);
    const [echoed] = await once(ws, 'message');
    assert.deepEqual(echoed, blob);
    ws.close();
    await once(ws, 'close');
  });

  test('a WebSocket to a host without a route is refused with 404', async (t) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/`, { headers: { host: 'no-ws.test' } });
    ws.on('error', () => {});
    t.after(() => ws.terminate());
    const [, res] = await once(ws, 'unexpected-response');
    assert.equal(res.statusCode, 404);
  });

  test('the response head arrives at once when the upstream is slow to send its body', async (t) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await startUpstream(async (_req, res) => {
      res.writeHead(202, { 'x-started': 'yes' });
      res.flushHeaders();
      await released;
      res.end('done');
    });
    t.after(() => slow.close());
    await gw.addRoute({ host: 'slow-body.test', target: slow.url });
    // The body is held back until the head has been seen: a proxy that waited for body bytes
    // before sending the head would never answer.
    const res = await request(`${gw.url}/`, { headers: { host: 'slow-body.test' } });
    assert.equal(res.statusCode, 202);
    assert.equal(res.headers['x-started'], 'yes');
    release();
    assert.equal(await res.body.text(), 'done');
  });

  test('a client that leaves mid-download ends the upstream request and the gateway stays up', async (t) => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const endless = await startUpstream((_req, res) => {
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 1)), 5);
      res.once('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    t.after(() => endless.close());
    await gw.addRoute({ host: 'endless.test', target: endless.url });
    const res = await request(`${gw.url}/`, { headers: { host: 'endless.test' } });
    await res.body[Symbol.asyncIterator]().next();
    res.body.destroy();
    // The gateway let go of the upstream: its side of the exchange is over.
    await closed;
    assert.equal((await request(`${gw.url}/healthz`, { headers: { host: 'localhost' } })).statusCode, 200);
  });

  test('server-sent events arrive as they are sent, not at the end', async (t) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sse = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: first\n\n');
      await released;
      res.end('data: last\n\n');
    });
    t.after(() => sse.close());
    await gw.addRoute({ host: 'sse.test', target: sse.url });
    const res = await request(`${gw.url}/events`, {
      headers: { host: 'sse.test', accept: 'text/event-stream' },
    });
    assert.equal(res.headers['content-type'], 'text/event-stream');
    const iterator = res.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(String(first.value), 'data: first\n\n', 'the first event came before the stream ended');
    release();
    let rest = '';
    for (let n = await iterator.next(); !n.done; n = await iterator.next()) rest += String(n.value);
    assert.equal(rest, 'data: last\n\n');
  });
});
