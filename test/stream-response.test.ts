import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { request } from 'undici';
import { ClientGoneError, streamResponse } from '../src/http/stream-response.ts';
import { startUpstream } from './helpers/upstream.ts';

test('a receiver that closes mid-body rejects with ClientGoneError and leaves no stray error', async (t) => {
  const endless = await startUpstream((_req, res) => {
    const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 1)), 5);
    res.once('close', () => clearInterval(timer));
  });
  t.after(() => endless.close());
  const stray: unknown[] = [];
  let settled!: () => void;
  // The discarded body either closes quietly or its error goes uncaught on the way.
  const discarded = new Promise<void>((resolve) => {
    settled = resolve;
  });
  const onUncaught = (error: unknown) => {
    stray.push(error);
    settled();
  };
  process.on('uncaughtException', onUncaught);
  t.after(() => process.off('uncaughtException', onUncaught));
  const upstream = await request(endless.url);
  upstream.body.once('close', settled);
  let received = 0;
  const receiver = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback();
      if (received > 0) receiver.destroy();
    },
  });
  await assert.rejects(streamResponse(upstream.body, receiver), ClientGoneError);
  await discarded;
  assert.deepEqual(stray, [], 'the upstream body was discarded without an unhandled error');
});
