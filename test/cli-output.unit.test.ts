import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { JsonLines } from '../src/cli/json-lines.ts';
import { StatusLine } from '../src/cli/status-line.ts';

/** A stand-in for stdout/stderr that records each write. */
function recorder(isTTY: boolean): NodeJS.WriteStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns: 200, writes, write: (text: string) => writes.push(text) > 0 } as never;
}

describe('JSON event lines', () => {
  test('batched events leave together in one write at the end of the turn', async () => {
    const out = recorder(false);
    const lines = new JsonLines(out);
    for (let i = 0; i < 3; i++) lines.write({ event: 'request', i }, { batched: true });
    assert.equal(out.writes.length, 0);
    await nextTurn();
    assert.deepEqual(out.writes, [
      '{"event":"request","i":0}\n{"event":"request","i":1}\n{"event":"request","i":2}\n',
    ]);
  });

  test('any other event is written at once, after what was queued', () => {
    const out = recorder(false);
    const lines = new JsonLines(out);
    lines.write({ event: 'request' }, { batched: true });
    lines.write({ event: 'offline' });
    assert.deepEqual(out.writes, ['{"event":"request"}\n{"event":"offline"}\n']);
  });
});

describe('status line', () => {
  test('off a terminal: each new state is one line, counters alone not a line each', () => {
    const out = recorder(false);
    const status = new StatusLine(out);
    status.update('online 0 requests');
    status.update('online 0 requests');
    for (let i = 1; i <= 50; i++) status.progress(`online ${i} requests`);
    status.update('offline');
    assert.deepEqual(out.writes, ['online 0 requests\n', 'offline\n']);
  });

  test('on a terminal: a burst of counter updates is drawn a few times, ending on the latest', (t) => {
    // The redraw is timed, so the test moves the clock rather than waiting on it.
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const out = recorder(true);
    const status = new StatusLine(out);
    status.update('online 0');
    for (let i = 1; i <= 200; i++) status.progress(`online ${i}`);
    t.mock.timers.tick(100);
    const draws = out.writes.map((w) => w.replace('\r\x1b[2K', ''));
    assert.equal(draws[0], 'online 0');
    assert.ok(draws.length <= 3, `drawn ${draws.length} times`);
    assert.equal(draws.at(-1), 'online 200');
  });
});
