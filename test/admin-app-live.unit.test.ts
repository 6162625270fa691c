import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKOFF, retryDelay } from '../ui/admin/src/backoff.ts';
import { catchUpSince, merged } from '../ui/admin/src/merge-records.ts';
import { isOwnCall } from '../ui/admin/src/own-calls.ts';
import type { RequestRecord } from '../ui/admin/src/types.ts';

/** A record made `s` seconds after noon, named by `id`. */
function record(id: string, s: number): RequestRecord {
  return {
    id,
    at: new Date(Date.parse('2026-12-07T12:00:00.000Z') + s * 1000).toISOString(),
    method: 'GET',
    host: 'app.example.com',
    path: `/${id}`,
    status: 200,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 0,
    ip: '127.0.0.1',
    user: null,
    route: null,
    tunnel: null,
    userAgent: null,
    error: null,
  };
}
const ids = (records: readonly RequestRecord[]) => records.map((r) => r.id);

describe("the admin app's live stream: when it tries again", () => {
  const cases: [attempt: number, random: number, ms: number][] = [
    [0, 0, 500],
    [1, 0, 1000],
    [2, 0, 2000],
    [4, 0, 8000],
    [5, 0, 10_000],
    [50, 0, 10_000],
    [0, 0.999_999, 375],
    [60, 0.5, 8750],
  ];
  for (const [attempt, random, ms] of cases)
    test(`try ${attempt} with jitter ${random} waits ${ms} ms`, () => {
      assert.equal(
        retryDelay(attempt, BACKOFF, () => random),
        ms,
      );
    });
});

describe('the admin app: records caught up after a drop, merged with those shown', () => {
  test('what is new is added, newest first; what is shown already is not added again', () => {
    const shown = [record('c', 3), record('a', 1)];
    const caughtUp = [record('d', 4), record('c', 3), record('b', 2)];
    assert.deepEqual(ids(merged(shown, caughtUp)), ['d', 'c', 'b', 'a']);
    assert.deepEqual(
      ids(merged(shown, [record('e', 5), record('e', 5)])),
      ['e', 'c', 'a'],
      'once, even twice in',
    );
  });

  test('nothing new leaves the list as it was (no re-render)', () => {
    const shown = [record('b', 2), record('a', 1)];
    assert.equal(merged(shown, [record('a', 1)]), shown);
  });

  test("catching up starts at the newest record held, or the filter's since when later", () => {
    const newest = '2026-12-07T12:00:05.000Z';
    assert.equal(catchUpSince(newest, undefined), newest);
    assert.equal(catchUpSince(newest, '2026-12-07T11:00:00Z'), newest);
    assert.equal(catchUpSince(newest, '2026-12-07T14:00:00+01:00'), '2026-12-07T14:00:00+01:00');
  });
});

describe('the admin app: which live records make a page re-read its numbers', () => {
  const cases: [host: string, path: string, own: boolean][] = [
    ['localhost:8080', '/api/v1/analytics', true],
    ['localhost:8080', '/ui/assets/index.js', true],
    ['localhost:8080', '/', false],
    ['localhost:8080', '/apis', false],
    ['app.example.com', '/api/v1/analytics', false],
    ['localhost:9090', '/api/v1/routes', false],
  ];
  for (const [host, path, own] of cases)
    test(`${host}${path} is ${own ? '' : 'not '}the app's own call`, () => {
      assert.equal(isOwnCall({ host, path }, 'localhost:8080'), own);
    });
});
