import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type ClientHttp2Stream, connect, createServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { releaseOnClose } from '../src/tunnel/protocol/release-stream.ts';

const exchangeListeners = ['response', 'data', 'end', 'trailers', 'finish'] as const;

test('a closed tunnel stream keeps none of its listeners, and later close listeners still run', async (t) => {
  const server = createServer();
  const serverStreams: ServerHttp2Stream[] = [];
  const serverClosed: Promise<unknown>[] = [];
  server.on('stream', (stream) => {
    releaseOnClose(stream);
    serverStreams.push(stream);
    serverClosed.push(once(stream, 'close'));
    stream.on('data', () => {});
    stream.respond({ ':status': 200 });
    stream.end('answer');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  t.after(() => {
    session.destroy();
    server.close();
  });

  const stream: ClientHttp2Stream = session.request({ ':path': '/' }, { endStream: true });
  releaseOnClose(stream);
  let body = '';
  stream.on('response', () => {});
  stream.on('data', (chunk: Buffer) => {
    body += chunk;
  });
  await once(stream, 'close');
  await Promise.all(serverClosed);
  assert.equal(body, 'answer');
  assert.equal(serverStreams.length, 1);

  for (const closed of [stream, ...serverStreams]) {
    for (const event of exchangeListeners) assert.equal(closed.listenerCount(event), 0, event);
    assert.equal(closed.listenerCount('close'), 0);
    // A late error must not become an uncaught exception once the exchange's handlers are gone.
    assert.doesNotThrow(() => closed.emit('error', new Error('late')));
  }
});
