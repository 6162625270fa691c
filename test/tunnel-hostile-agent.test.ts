import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { controlFrame, FrameType, frameHeader, StreamKind } from '../src/tunnel/protocol/mux-frames.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** Connects as the tunnel's agent over protocol 2 and hands back the raw upgraded socket. */
async function connectRaw(gw: TestGateway, tunnel: { name: string; key: string }): Promise<Socket> {
  const req = httpRequest(`${gw.url}/api/v1/tunnels/connect`, {
    headers: {
      host: 'localhost',
      connection: 'Upgrade',
      upgrade: 'gatehouse-tunnel/2',
      'gatehouse-protocol': '2',
      'gatehouse-tunnel': tunnel.name,
      authorization: `Bearer ${tunnel.key}`,
    },
  });
  req.end();
  const [, socket] = (await once(req, 'upgrade')) as [unknown, Socket];
  return socket;
}

/** Resolves once the gateway has closed the socket. */
function closedBy(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => resolve());
  });
}

describe('an agent that breaks the tunnel protocol loses its connection, and nothing else', () => {
  let gw: TestGateway;
  let local: Upstream;
  let bystander: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream((_req, res) => res.end('fine'));
    const good = await createTunnel(gw, 'bystander');
    bystander = await startAgent(gw, good, local.url);
  });
  after(async () => {
    bystander.stop();
    await gw.stop();
    await local.close();
  });

  const hostile: [string, Buffer][] = [
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['a frame of an unknown type', frameHeader(42 as FrameType, 0, 1, 0)],
    ['a DATA frame longer than the protocol allows', frameHeader(FrameType.DATA, 0, 1, 1 << 20)],
    ['a control frame near 16 MiB', frameHeader(FrameType.INFO, 0, 1, 0xff_ffff)],
    [
      'a stream opened with an id only the edge may use',
      controlFrame(FrameType.OPEN, 1, Buffer.of(StreamKind.HTTP)),
    ],
    ['a CREDIT frame without its amount', controlFrame(FrameType.CREDIT, 1, Buffer.of(1))],
  ];
  for (const [name, bytes] of hostile) {
    test(`${name}: the connection ends, other tunnels go on serving`, async () => {
      const tunnel = await createTunnel(gw);
      const socket = await connectRaw(gw, tunnel);
      const closed = closedBy(socket);
      socket.write(bytes);
      await closed;
      assert.equal((await gw.send('bystander.localhost', '/')).text, 'fine');
      const listed = await gw.api('GET', `/api/v1/tunnels/${tunnel.name}`);
      assert.equal(listed.body.online, false);
    });
  }

  test('a stream the agent opens is refused with a reset, and its connection stays', async () => {
    const tunnel = await createTunnel(gw);
    const socket = await connectRaw(gw, tunnel);
    const frames: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => frames.push(chunk));
    socket.write(controlFrame(FrameType.OPEN, 2, Buffer.of(StreamKind.HTTP)));
    const reset = Buffer.concat([frameHeader(FrameType.RESET, 0, 2, 0).subarray(3, 9)]);
    while (!Buffer.concat(frames).includes(reset)) await once(socket, 'data');
    assert.equal((await gw.api('GET', `/api/v1/tunnels/${tunnel.name}`)).body.online, true);
    socket.destroy();
  });

  test('an answer that is not HTTP: the client gets 502, and the gateway goes on', async () => {
    const tunnel = await createTunnel(gw);
    const socket = await connectRaw(gw, tunnel);
    socket.once('data', () => {
      const junk = Buffer.from('this is not an HTTP response\r\n\r\n');
      socket.write(Buffer.concat([frameHeader(FrameType.DATA, 0, 1, junk.length), junk]));
    });
    const answer = await gw.send(`${tunnel.name}.localhost`, '/');
    assert.equal(answer.status, 502);
    assert.equal((await gw.send('bystander.localhost', '/')).text, 'fine');
    socket.destroy();
  });
});
