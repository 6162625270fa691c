import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { PLAIN_PROGRESS_INTERVAL_MS, StatusLine } from '../src/cli/status-line.ts';

/** A stand-in for stderr that is not a terminal. */
function pipe(): NodeJS.WriteStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY: false, writes, write: (text: string) => writes.push(text) > 0 } as never;
}

describe('status line off a terminal', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  test('new counters are printed once per interval, the latest of them', () => {
    const out = pipe();
    const status = new StatusLine(out);
    status.update('online 0 requests');
    for (let i = 1; i <= 50; i++) status.progress(`online ${i} requests`);
    assert.deepEqual(out.writes, ['online 0 requests\n']);
    mock.timers.tick(PLAIN_PROGRESS_INTERVAL_MS);
    assert.deepEqual(out.writes, ['online 0 requests\n', 'online 50 requests\n']);
    status.progress('online 51 requests');
    mock.timers.tick(PLAIN_PROGRESS_INTERVAL_MS - 1);
    assert.equal(out.writes.length, 2, 'not before the interval is over');
    mock.timers.tick(1);
    assert.equal(out.writes.at(-1), 'online 51 requests\n');
  });

  test('stopping prints the counters not shown yet', () => {
    const out = pipe();
    const status = new StatusLine(out);
    status.update('online 0 requests');
    status.progress('online 1 request');
    status.done();
    assert.deepEqual(out.writes, ['online 0 requests\n', 'online 1 request\n']);
  });
});
