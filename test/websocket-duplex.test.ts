import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { webSocketDuplex } from '../src/tunnel/protocol/websocket-duplex.ts';

/** A connected client and server WebSocket, both closed when the test ends. */
async function pair(t: TestContext): Promise<{ client: WebSocket; server: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  t.after(async () => {
    client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  const [server] = (await accepted) as [WebSocket];
  await once(client, 'open');
  return { client, server };
}

describe('WebSocket byte stream', () => {
  test('writes made together leave as one message, in order', async (t) => {
    const { client, server } = await pair(t);
    const duplex = webSocketDuplex(client);
    const messages: Buffer[] = [];
    server.on('message', (data: Buffer) => messages.push(data));
    duplex.cork();
    duplex.write(Buffer.from('one,'));
    duplex.write(Buffer.from('two,'));
    duplex.write(Buffer.from('three'));
    duplex.uncork();
    await once(server, 'message');
    assert.deepEqual(messages.map(String), ['one,two,three']);
  });

  test('messages from the peer read as one byte stream that ends when the peer closes', async (t) => {
    const { client, server } = await pair(t);
    const duplex = webSocketDuplex(client);
    server.send(Buffer.from('abc'));
    server.send(Buffer.from('def'));
    server.close();
    let text = '';
    for await (const chunk of duplex) text += String(chunk);
    assert.equal(text, 'abcdef');
  });

  test('a write after the connection closed fails instead of vanishing', async (t) => {
    const { client } = await pair(t);
    const duplex = webSocketDuplex(client);
    duplex.on('error', () => {});
    client.terminate();
    await once(client, 'close');
    const error = await new Promise<Error | null | undefined>((resolve) =>
      duplex.write(Buffer.from('x'), resolve),
    );
    assert.match(String(error?.message), /closed/);
  });
});
