import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { ExchangeRecord } from '../src/tunnel/agent/local-forwarder.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the headers a public request travels down a tunnel with', () => {
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream();
    agent = await startAgent(gw, await createTunnel(gw, 'headers'), local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await local.close();
  });

  test('a client cannot pose as the tunnel protocol: its gatehouse-* headers stop at the edge', async () => {
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: internal.local\r\n\r\n';
    const recorded = once(agent, 'response') as Promise<[ExchangeRecord]>;
    const res = await gw.send('headers.localhost', '/upload', {
      method: 'POST',
      headers: {
        'gatehouse-upgrade': 'websocket',
        'gatehouse-request-id': 'forged',
        'gatehouse-switched': '1',
      },
      body: smuggled,
    });
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.text);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, smuggled, 'the body arrived as a body');
    assert.equal(local.seen.filter((r) => r.url === '/smuggled').length, 0);
    for (const name of Object.keys(seen.headers)) assert.doesNotMatch(name, /^gatehouse-/);
    const [record] = await recorded;
    assert.match(record.id, UUID, 'the request id is the edge’s own');
  });

  test('an upgrade carries the edge’s request id too', async (t) => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    t.after(() => wss.close());
    await once(wss, 'listening');
    const seenHeaders = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_socket, req) => resolve(req.headers)),
    );
    const wsAgent = await startAgent(
      gw,
      await createTunnel(gw, 'ws-headers'),
      `http://127.0.0.1:${(wss.address() as { port: number }).port}`,
    );
    t.after(() => wsAgent.stop());
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/live`, {
      headers: { host: 'ws-headers.localhost', 'gatehouse-request-id': 'forged' },
    });
    t.after(() => ws.terminate());
    await once(ws, 'open');
    const headers = await seenHeaders;
    assert.equal(headers['x-forwarded-host'], 'ws-headers.localhost');
    for (const name of Object.keys(headers)) assert.doesNotMatch(name, /^gatehouse-/);
    ws.close();
    await once(ws, 'close');
  });
});
