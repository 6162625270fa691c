import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const UPGRADE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n';
/** A second request, forging what the gateway would set, to write after the refusal. */
const smuggled = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: internal.local\r\nX-Forwarded-For: 10.0.0.1\r\nX-Relay-From: admin\r\n\r\n`;

/**
 * Sends an upgrade request, reads the answer, then writes a second request on the same
 * connection; resolves with everything received once the gateway has closed the connection.
 */
async function upgradeThenSmuggle(port: number, host: string, second: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.setEncoding('latin1');
  let received = '';
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  socket.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\n${UPGRADE}\r\n`);
  while (!received.includes('no websockets here')) await once(socket, 'data');
  socket.write(second);
  await closed;
  return received;
}

describe('an upgrade the local server refuses gets an ordinary answer, and nothing is piped after it', () => {
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    // A plain HTTP server: it answers an upgrade request like any other and keeps the connection.
    local = await startUpstream((req, res) => {
      if (req.url === '/ws') res.writeHead(403, { 'content-type': 'text/plain' }).end('no websockets here');
      else res.end(`served ${req.url} for ${req.headers['x-forwarded-for']}`);
    });
    await gw.addRoute({ host: 'edge.test', target: local.url });
    agent = await startAgent(gw, await createTunnel(gw, 'refuser'), local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await local.close();
  });

  for (const [through, host] of [
    ['a tunnel', 'refuser.localhost'],
    ['an edge route', 'edge.test'],
  ] as const) {
    test(`through ${through}`, async () => {
      const path = `/smuggled-through-${host}`;
      const received = await upgradeThenSmuggle(gw.port, host, smuggled(path));
      assert.match(received, /^HTTP\/1\.1 403 Forbidden\r\n/);
      assert.match(received, /\r\nconnection: close\r\n/i);
      assert.ok(received.endsWith('no websockets here'), `one answer and nothing after it:\n${received}`);
      assert.deepEqual(
        local.seen.filter((r) => r.url === path),
        [],
        'the second request never reached the local server',
      );
    });
  }
});
