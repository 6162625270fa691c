import assert from 'node:assert/strict';
import { once } from 'node:events';
import { duplexPair, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it, type TestContext } from 'node:test';
import { controlFrame, FrameType, frameHeader, StreamKind } from '../src/tunnel/protocol/mux-frames.ts';
import { MuxSession } from '../src/tunnel/protocol/mux-session.ts';
import { type MuxStream, STREAM_WINDOW, StreamCutError } from '../src/tunnel/protocol/mux-stream.ts';

function pair(t: TestContext, onStream: (stream: MuxStream) => void) {
  const [a, b] = duplexPair();
  const edge = new MuxSession(a, { role: 'edge', heartbeatMs: 60_000, maxIncomingStreams: 0 });
  const agent = new MuxSession(b, {
    role: 'agent',
    heartbeatMs: 60_000,
    maxIncomingStreams: 4,
    onStream: (stream) => onStream(stream),
  });
  t.after(() => {
    edge.close('test over');
    agent.close('test over');
  });
  return { edge, agent };
}

async function readAll(stream: MuxStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('MuxSession', () => {
  it('carries bytes both ways on a half-open stream, and each end as a clean end', async (t) => {
    const { edge } = pair(t, (stream) => {
      readAll(stream).then((got) => stream.end(Buffer.concat([Buffer.from('echo:'), got])));
    });
    const stream = edge.openStream(StreamKind.PASSTHROUGH);
    stream.end('hello');
    assert.equal((await readAll(stream)).toString(), 'echo:hello');
    assert.equal(stream.endedWhole, true);
  });

  it('ends an HTTP stream both ways once the peer ends it, as a TCP socket without half-open does', async (t) => {
    const { edge } = pair(t, (stream) => stream.end('bye'));
    const stream = edge.openStream(StreamKind.HTTP);
    const finished = new Promise((resolve) => stream.once('finish', resolve));
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.on('data', (chunk: Buffer) => assert.equal(chunk.toString(), 'bye'));
    await finished;
    await closed;
    assert.equal(stream.endedWhole, true);
    assert.equal(edge.streamCount, 0);
  });

  it('keeps many streams apart', async (t) => {
    const { edge } = pair(t, (stream) => stream.pipe(stream));
    const answers = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const stream = edge.openStream(StreamKind.HTTP);
        stream.end(Buffer.alloc(100_000 * n, n));
        return readAll(stream);
      }),
    );
    assert.deepEqual(
      answers.map((a) => [a.length, a[0], a.at(-1)]),
      [1, 2, 3, 4].map((n) => [100_000 * n, n, n]),
    );
  });

  it('stops a writer at the window while the reader takes nothing, then lets it finish', async (t) => {
    let accepted: MuxStream | undefined;
    const { edge } = pair(t, (stream) => {
      accepted = stream;
    });
    const stream = edge.openStream(StreamKind.HTTP);
    const total = 4 * STREAM_WINDOW;
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        const chunk = Buffer.alloc(16 * 1024, 1);
        written += chunk.length;
        if (!stream.write(chunk)) await once(stream, 'drain');
      }
      stream.end();
    })();
    // Give the writer every chance to run ahead: it must stall within window + buffers.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(accepted, 'the stream reached the other side');
    assert.ok(written <= STREAM_WINDOW + 3 * 64 * 1024, `the writer ran ${written} bytes ahead`);
    let received = 0;
    await pipeline(
      accepted,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          received += chunk.length;
          cb();
        },
      }),
    );
    await writer;
    assert.equal(received, total);
  });

  it('passes a cut on as a cut, never as an end', async (t) => {
    let accepted: MuxStream | undefined;
    const { edge } = pair(t, (stream) => {
      accepted = stream;
      stream.resume();
    });
    const stream = edge.openStream(StreamKind.HTTP);
    stream.write('part of a body');
    await new Promise((resolve) => setImmediate(resolve));
    while (!accepted) await new Promise((resolve) => setImmediate(resolve));
    const error = once(accepted, 'error');
    stream.destroy();
    const [cut] = await error;
    assert.ok(cut instanceof StreamCutError);
    assert.equal(accepted.endedWhole, false);
  });

  it('cuts every open stream when the connection ends', async (t) => {
    const { edge, agent } = pair(t, () => {});
    const stream = edge.openStream(StreamKind.HTTP);
    const cut = new Promise((resolve) => stream.once('error', resolve));
    const closed = new Promise((resolve) => stream.once('close', resolve));
    agent.close('agent stopping');
    await closed;
    assert.ok((await cut) instanceof StreamCutError);
    assert.equal(stream.endedWhole, false);
    assert.equal(edge.open, false);
  });

  it('refuses streams over the limit with a reset, and keeps the connection', async (t) => {
    const { edge } = pair(t, () => {});
    const streams = [1, 2, 3, 4, 5].map(() => edge.openStream(StreamKind.HTTP));
    for (const s of streams) s.on('error', () => {});
    const [error] = await once(streams[4]!, 'error');
    assert.match((error as Error).message, /too many streams/);
    assert.equal(edge.open, true);
  });

  it('ends the connection when the peer sends more on a stream than it was granted', async (t) => {
    const [a, b] = duplexPair();
    const edge = new MuxSession(a, { role: 'edge', heartbeatMs: 60_000, maxIncomingStreams: 0 });
    t.after(() => edge.close('test over'));
    const stream = edge.openStream(StreamKind.HTTP);
    stream.on('error', () => {});
    // Nobody reads the stream, so no credit is granted back past the first window.
    const piece = Buffer.alloc(64 * 1024, 1);
    for (let sent = 0; sent <= STREAM_WINDOW; sent += piece.length)
      b.write(Buffer.concat([frameHeader(FrameType.DATA, 0, stream.id, piece.length), piece]));
    const reason = await new Promise((resolve) => edge.onClose(resolve));
    assert.match(String(reason), /overran stream 1/);
  });

  it('does not grow its memory answering a peer that floods pings and never reads', async (t) => {
    const [a, b] = duplexPair();
    const edge = new MuxSession(a, { role: 'edge', heartbeatMs: 60_000, maxIncomingStreams: 0 });
    t.after(() => edge.close('test over'));
    const ping = controlFrame(FrameType.PING, 0, Buffer.alloc(8, 1));
    for (let round = 0; round < 20; round++) {
      b.write(Buffer.concat(Array.from({ length: 10_000 }, () => ping)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setImmediate(resolve));
    // 200,000 pings would have made 3.4 MB of answers; at most the budget and one turn's are kept.
    assert.ok(a.writableLength <= 1024 * 1024 + 200_000, `${a.writableLength} bytes waiting`);
    assert.ok(a.writableLength > 0, 'it did answer while the peer still read nothing');
  });

  it('ends a connection whose peer stops answering pings', async (t) => {
    const [a] = duplexPair();
    const edge = new MuxSession(a, { role: 'edge', heartbeatMs: 20, maxIncomingStreams: 0 });
    t.after(() => edge.close('test over'));
    const reason = await new Promise((resolve) => edge.onClose(resolve));
    assert.equal(reason, 'heartbeat missed');
  });
});
