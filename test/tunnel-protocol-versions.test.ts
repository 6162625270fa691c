import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** Starts an agent speaking `protocol` first, over `transport`; resolves once it is online. */
async function agentOf(
  server: string,
  tunnel: { name: string; key: string },
  localUrl: string,
  options: { protocol: 1 | 2; transport?: 'raw' | 'websocket' },
): Promise<TunnelAgent> {
  const agent = new TunnelAgent({
    server: new URL(server),
    name: tunnel.name,
    key: tunnel.key,
    local: { url: new URL(localUrl), preserveHost: false, captureBytes: 4096 },
    version: 'test',
    backoffBaseMs: 50,
    backoffCapMs: 500,
    protocol: options.protocol,
    transport: options.transport ?? 'raw',
  });
  agent.start();
  await once(agent, 'online');
  return agent;
}

/**
 * A stand-in for a Gatehouse of the previous release in front of the real one: it refuses an
 * upgrade to protocol 2 as that release did, and passes everything else through.
 */
async function previousRelease(
  gatewayPort: number,
): Promise<{ server: Server; url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((client: Socket) => {
    client.once('data', (first: Buffer) => {
      const upgrade = /\r\nupgrade: *([^\r]*)/i.exec(first.toString('latin1'))?.[1] ?? '';
      asked.push(upgrade);
      if (upgrade.toLowerCase() === 'gatehouse-tunnel/2') {
        const body = JSON.stringify({
          error: 'TUNNEL_UPGRADE_INVALID',
          message: 'expected Upgrade: gatehouse-tunnel/1 (or websocket), not "gatehouse-tunnel/2"',
        });
        client.end(
          `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      const upstream = connect(gatewayPort, '127.0.0.1');
      upstream.write(first);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe('tunnel protocol versions', () => {
  let gw: TestGateway;
  let local: Upstream;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream((req, res, body) => res.end(`${req.method} ${req.url} ${body.length}`));
  });
  after(async () => {
    await gw.stop();
    await local.close();
  });

  for (const transport of ['raw', 'websocket'] as const) {
    test(`an agent of the previous release (protocol 1, ${transport}) still serves`, async (t) => {
      const tunnel = await createTunnel(gw, `old-${transport}`);
      const agent = await agentOf(gw.url, tunnel, local.url, { protocol: 1, transport });
      t.after(() => agent.stop());
      assert.equal((await gw.send(`old-${transport}.localhost`, '/a')).text, 'GET /a 0');
      const posted = await gw.send(`old-${transport}.localhost`, '/b', {
        method: 'POST',
        body: 'x'.repeat(70_000),
      });
      assert.equal(posted.text, 'POST /b 70000');
    });
  }

  test('an agent of this release speaks protocol 1 to a Gatehouse of the previous one', async (t) => {
    const old = await previousRelease(gw.port);
    t.after(() => old.server.close());
    const tunnel = await createTunnel(gw, 'downgraded');
    const agent = await agentOf(old.url, tunnel, local.url, { protocol: 2 });
    t.after(() => agent.stop());
    assert.deepEqual(old.asked, ['gatehouse-tunnel/2', 'gatehouse-tunnel/1']);
    assert.equal((await gw.send('downgraded.localhost', '/c')).text, 'GET /c 0');
  });

  test('an unknown raw upgrade token is refused, naming the ones spoken', async () => {
    const tunnel = await createTunnel(gw, 'future-raw');
    const answer = await rawExchange(
      gw.port,
      `GET /api/v1/tunnels/connect HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: gatehouse-tunnel/9\r\n` +
        `Authorization: Bearer ${tunnel.key}\r\ngatehouse-tunnel: future-raw\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /gatehouse-tunnel\/2 \(or gatehouse-tunnel\/1, or websocket\)/);
  });

  test('a WebSocket agent asking for an unknown version is refused with what to run', async () => {
    const tunnel = await createTunnel(gw, 'future-ws');
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/api/v1/tunnels/connect`, {
      headers: {
        host: 'localhost',
        authorization: `Bearer ${tunnel.key}`,
        'gatehouse-tunnel': 'future-ws',
        'gatehouse-protocol': '9',
      },
    });
    ws.on('error', () => {});
    const [, res] = await once(ws, 'unexpected-response');
    let text = '';
    for await (const chunk of res) text += chunk;
    assert.equal(res.statusCode, 400);
    assert.match(text, /speaks tunnel protocols 1 and 2.*run an agent of the same release/);
  });
});
