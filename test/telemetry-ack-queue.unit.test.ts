import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeCoalescer } from '../src/core/write-coalescer.ts';
import { AckQueue } from '../src/telemetry/receiver/ack-queue.ts';

/** A promise with its resolver, for confirmations that arrive when the test says. */
function later<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('AckQueue', () => {
  test('a message confirmed at once with nothing ahead is acked at once', () => {
    const sent: string[] = [];
    const counts: number[] = [];
    const queue = new AckQueue(
      (ack) => sent.push(text(ack)),
      (n) => counts.push(n),
    );
    queue.push(bytes('a'), true);
    assert.deepEqual(sent, ['a']);
    assert.deepEqual(counts, [1, 0]);
    assert.equal(queue.inFlight, 0);
  });

  test('acks keep the order of the messages, whoever confirms first', async () => {
    const sent: string[] = [];
    const queue = new AckQueue(
      (ack) => sent.push(text(ack)),
      () => {},
    );
    const first = later<boolean>();
    const second = later<boolean>();
    queue.push(bytes('1'), first.promise);
    queue.push(bytes('2'), true);
    queue.push(bytes('3'), second.promise);
    queue.push(bytes('4'), true);
    assert.deepEqual(sent, [], 'nothing passes the first, still unconfirmed');
    second.resolve(true);
    await second.promise;
    await Promise.resolve();
    assert.deepEqual(sent, []);
    first.resolve(true);
    await first.promise;
    await Promise.resolve();
    assert.deepEqual(sent, ['1', '2', '3', '4']);
    queue.push(bytes('5'), true);
    assert.deepEqual(sent, ['1', '2', '3', '4', '5'], 'an emptied queue acks at once again');
  });

  test('a refused or failed confirmation withholds that ack only', async () => {
    const sent: string[] = [];
    const queue = new AckQueue(
      (ack) => sent.push(text(ack)),
      () => {},
    );
    const refused = later<boolean>();
    const failed = later<boolean>();
    queue.push(bytes('refused'), refused.promise);
    queue.push(bytes('failed'), failed.promise);
    queue.push(bytes('ok'), true);
    refused.resolve(false);
    failed.reject(new Error('broker down'));
    await failed.promise.catch(() => {});
    await Promise.resolve();
    assert.deepEqual(sent, ['ok']);
    assert.equal(queue.inFlight, 0);
  });

  test('a message stays in flight until its sink writes settle, even once acked', async () => {
    const queue = new AckQueue(
      () => {},
      () => {},
    );
    const writes = later<void>();
    queue.push(bytes('a'), true, writes.promise);
    assert.equal(queue.inFlight, 1);
    writes.reject(new Error('a sink failed'));
    await writes.promise.catch(() => {});
    await Promise.resolve();
    assert.equal(queue.inFlight, 0);
  });
});

describe('writeCoalescer', () => {
  test('writes of one callback leave together once it is over', async () => {
    const events: string[] = [];
    const socket = {
      writableLength: 0,
      cork: () => events.push('cork'),
      uncork: () => events.push('uncork'),
    };
    const hold = writeCoalescer(socket);
    hold();
    hold();
    hold();
    assert.deepEqual(events, ['cork']);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    assert.deepEqual(events, ['cork', 'uncork']);
    hold();
    assert.deepEqual(events, ['cork', 'uncork', 'cork']);
  });

  test('a burst past the bound is written without waiting', () => {
    const events: string[] = [];
    const socket = {
      writableLength: 0,
      cork: () => events.push('cork'),
      uncork: () => events.push('uncork'),
    };
    const hold = writeCoalescer(socket, 'turn');
    hold();
    socket.writableLength = 1 << 20;
    hold();
    assert.deepEqual(events, ['cork', 'uncork', 'cork']);
  });
});
