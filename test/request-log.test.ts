import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyticsOf, windowOf } from '../src/admin/request-queries.ts';
import { manualClock } from '../src/core/clock.ts';
import { Metrics } from '../src/core/metrics.ts';
import { RedisStore } from '../src/store/redis/redis-store.ts';
import type {
  PendingRequest,
  RequestEntry,
  RequestFilter,
  RequestLogRepository,
  RequestRecord,
} from '../src/store/request-log.ts';
import { RequestRecorder } from '../src/store/request-recorder.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/types.ts';
import { answeredRequest } from './helpers/answered-requests.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** A record `n` seconds after T0, with fields to filter on. */
function request(n: number, fields: Partial<RequestRecord> = {}): RequestRecord {
  const { startedAt, ...answered } = answeredRequest(T0 + n * 1000, { durationMs: n });
  return { id: `r${n}`, at: new Date(startedAt).toISOString(), ...answered, ...fields };
}

/** Ten records, oldest first, each differing from the plain one in what its id says. */
const FIXTURE: readonly RequestRecord[] = [
  request(0),
  request(1, { host: 'api.example.com', route: 'api', path: '/v1/users' }),
  request(2, { status: 404, error: 'ROUTE_NOT_FOUND', route: null }),
  request(3, { status: 502, error: 'UPSTREAM_UNREACHABLE', path: '/v1/orders' }),
  request(4, { ip: '10.0.0.2', user: 'ada' }),
  request(5, { route: null, tunnel: 'demo', host: 'demo.tunnels.example.com' }),
  request(6, { status: 301, path: '/old' }),
  request(7, { ip: '10.0.0.2', user: 'ada', path: '/v1/users/7' }),
  request(8, { status: 500, error: 'INTERNAL' }),
  request(9, { method: 'POST', bytesIn: 42, status: 201 }),
];

/** What the edge hands the recorder for `request(n)`: the recorder adds the id. */
function answered(n: number, startedAt: number): RequestEntry {
  const { id: _id, at: _at, ...fields } = request(n);
  return { ...fields, startedAt };
}

/** A fixture record as the recorder hands it to the store. */
function pending(r: RequestRecord): PendingRequest {
  const { id, at, ...fields } = r;
  return { id, entry: { ...fields, startedAt: Date.parse(at) } };
}

const ids = (records: readonly RequestRecord[]) => records.map((r) => r.id);
const newestFirst = (...n: number[]) => n.map((i) => `r${i}`);

/** Each filter and the records it keeps, newest first. */
const FILTER_CASES: readonly [string, RequestFilter, string[]][] = [
  ['host', { host: 'api.example.com' }, newestFirst(1)],
  ['route', { route: 'api' }, newestFirst(1)],
  ['tunnel', { tunnel: 'demo' }, newestFirst(5)],
  ['status class 5xx', { status: { min: 500, max: 599 } }, newestFirst(8, 3)],
  ['status class 2xx', { status: { min: 200, max: 299 } }, newestFirst(9, 7, 5, 4, 1, 0)],
  ['one status', { status: { min: 404, max: 404 } }, newestFirst(2)],
  ['path prefix', { path: '/v1/users' }, newestFirst(7, 1)],
  ['ip', { ip: '10.0.0.2' }, newestFirst(7, 4)],
  ['user', { user: 'ada' }, newestFirst(7, 4)],
  ['since', { since: T0 + 7000 }, newestFirst(9, 8, 7)],
  ['until', { until: T0 + 2000 }, newestFirst(1, 0)],
  ['since and until', { since: T0 + 3000, until: T0 + 5000 }, newestFirst(4, 3)],
  ['several at once', { ip: '10.0.0.2', path: '/v1' }, newestFirst(7)],
  ['nothing matches', { host: 'none.example.com' }, []],
];

/** The query suite every store's request log passes. */
function querySuite(name: string, open: () => Promise<Store>): void {
  describe(`request log queries: ${name}`, () => {
    const fresh = async (t: { after(fn: () => Promise<void>): void }) => {
      const store = await open();
      t.after(() => store.close());
      return store.requests;
    };
    const filled = async (t: { after(fn: () => Promise<void>): void }) => {
      const log = await fresh(t);
      await log.append(FIXTURE.slice(0, 4).map(pending), 1000);
      await log.append(FIXTURE.slice(4).map(pending), 1000);
      return log;
    };

    test('a page is newest first, and cursors walk every record once', async (t) => {
      const log = await filled(t);
      const first = await log.page({}, 4);
      assert.deepEqual(ids(first.records), newestFirst(9, 8, 7, 6));
      assert.notEqual(first.next, null);
      const seen = [...first.records];
      let next = first.next;
      while (next !== null) {
        const page = await log.page({}, 4, next);
        seen.push(...page.records);
        next = page.next;
      }
      assert.deepEqual(ids(seen), newestFirst(9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
      assert.deepEqual(seen[0], FIXTURE[9], 'a record comes back as it went in');
      const exact = await log.page({}, 10);
      assert.equal(exact.next, null, 'a page that holds the rest has no next');
    });

    for (const [what, filter, expected] of FILTER_CASES) {
      test(`filter: ${what}`, async (t) => {
        const log = await filled(t);
        assert.deepEqual(ids((await log.page(filter, 100)).records), expected);
        assert.deepEqual(ids(await log.window(filter, 100)), expected);
      });
    }

    test('a filtered page continues from its cursor', async (t) => {
      const log = await filled(t);
      const first = await log.page({ status: { min: 200, max: 299 } }, 4);
      assert.deepEqual(ids(first.records), newestFirst(9, 7, 5, 4));
      const second = await log.page({ status: { min: 200, max: 299 } }, 4, first.next!);
      assert.deepEqual(ids(second.records), newestFirst(1, 0));
      assert.equal(second.next, null);
    });

    test("a tunnel's history sums requests and bytes per bucket of its window", async (t) => {
      const log = await fresh(t);
      // Three buckets of the 15-minute window (15 s each): two requests in the first, one in the
      // third, and one of another tunnel that must not count.
      const to = T0 + 15 * 60_000;
      const tunnelled = (n: number, fields: Partial<RequestRecord>) =>
        request(n, { route: null, tunnel: 'demo', ...fields });
      await log.append(
        [
          tunnelled(1, { bytesIn: 10, bytesOut: 1000 }),
          tunnelled(2, { bytesIn: 20, bytesOut: 2000, status: 502 }),
          request(3, { route: null, tunnel: 'other', bytesIn: 7, bytesOut: 7 }),
          tunnelled(31, { bytesIn: 5, bytesOut: 50 }),
        ].map(pending),
        1000,
      );
      const window = windowOf('15m');
      const records = await log.window({ tunnel: 'demo', since: to - window.ms, until: to }, 1000);
      const history = analyticsOf(records, window, to);
      assert.equal(history.series.length, 60);
      const used = history.series
        .map((bucket, i) => ({ i, ...bucket }))
        .filter((b) => b.requests > 0)
        .map(({ i, at, requests, errors, bytesIn, bytesOut }) => ({
          i,
          at,
          requests,
          errors,
          bytesIn,
          bytesOut,
        }));
      assert.deepEqual(used, [
        { i: 0, at: new Date(T0).toISOString(), requests: 2, errors: 1, bytesIn: 30, bytesOut: 3000 },
        { i: 2, at: new Date(T0 + 30_000).toISOString(), requests: 1, errors: 0, bytesIn: 5, bytesOut: 50 },
      ]);
      assert.equal(history.series[1]!.bytesOut, 0, 'an empty bucket carries no bytes');
      assert.deepEqual([history.bytesIn, history.bytesOut], [35, 3050], 'the totals are the buckets summed');
    });

    test('window stops at its maximum, newest first', async (t) => {
      const log = await filled(t);
      assert.deepEqual(ids(await log.window({}, 3)), newestFirst(9, 8, 7));
    });

    test('retention deletes what is older than the age and beyond the count, and nothing else', async (t) => {
      const log = await filled(t);
      // Older than T0+3s: r0, r1, r2. Beyond the newest 5 of what is left: r3, r4.
      assert.equal(await log.prune(T0 + 3000, 5), 5);
      assert.deepEqual(ids((await log.page({}, 100)).records), newestFirst(9, 8, 7, 6, 5));
      assert.equal(await log.count(), 5);
      assert.equal(await log.prune(T0 + 3000, 5), 0, 'a second run finds nothing to delete');
      assert.equal(await log.prune(T0, 100), 0, 'a cut before everything deletes nothing');
      assert.deepEqual(ids((await log.page({}, 100)).records), newestFirst(9, 8, 7, 6, 5));
      assert.equal(await log.prune(T0 + 60_000, 100), 5, 'a cut after everything deletes everything');
      assert.equal(await log.count(), 0);
    });

    test('the recorder writes a burst of 50,000 records without losing one, its queue bounded', async (t) => {
      const log = await fresh(t);
      const metrics = new Metrics();
      const clock = manualClock(T0);
      const queueLimit = 20_000;
      const recorder = new RequestRecorder({
        log,
        clock,
        retentionMs: 86_400_000,
        max: 100_000,
        metrics,
        queueLimit,
      });
      recorder.start();
      t.after(() => recorder.stop());
      const heapBefore = process.memoryUsage().heapUsed;
      let deepest = 0;
      // As an edge under load hands them over: a thousand per turn of the event loop.
      for (let i = 0; i < 50_000; i++) {
        recorder.record(answered(i, T0 + i));
        deepest = Math.max(deepest, recorder.queued);
        if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
      }
      await recorder.flush();
      assert.equal(recorder.dropped, 0);
      assert.equal(recorder.written, 50_000);
      assert.equal(await log.count(), 50_000);
      assert.ok(deepest <= queueLimit, `the queue held ${deepest} records, more than its limit`);
      const grown = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
      assert.ok(grown < 100, `the heap grew ${grown.toFixed(0)} MB`);
      const written = await metrics.registry.getSingleMetricAsString('gatehouse_request_records_total');
      assert.match(written, /outcome="written"} 50000/);
    });
  });
}

describe("the recorder's writes", () => {
  test('records that come in during a write wait for the next full batch or tick, not a write each', async () => {
    const writes: number[] = [];
    const answers: (() => void)[] = [];
    const log: RequestLogRepository = {
      append: (records) => {
        writes.push(records.length);
        return new Promise<void>((resolve) => answers.push(resolve));
      },
      page: async () => ({ records: [], next: null }),
      window: async () => [],
      prune: async () => 0,
      count: async () => 0,
    };
    const recorder = new RequestRecorder({
      log,
      clock: manualClock(T0),
      retentionMs: 60_000,
      max: 1000,
      batchSize: 10,
    });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 10; i++) recorder.record(answered(i, T0 + i));
    await turn();
    assert.deepEqual(writes, [10], 'a full batch is written');
    for (let i = 10; i < 13; i++) recorder.record(answered(i, T0 + i));
    answers.shift()!();
    await turn();
    assert.deepEqual(writes, [10], 'the three that came in during the write wait');
    assert.equal(recorder.queued, 3);
    for (let i = 13; i < 20; i++) recorder.record(answered(i, T0 + i));
    await turn();
    assert.deepEqual(writes, [10, 10], 'and go with the next full batch');
    answers.shift()!();
    recorder.record(answered(20, T0 + 20));
    const stopped = recorder.stop();
    await turn();
    answers.shift()!();
    await stopped;
    assert.deepEqual(writes, [10, 10, 1], 'stopping writes the rest');
  });
});

describe('the recorder when the store cannot keep up', () => {
  test('records past the queue limit are dropped and counted, and the rest are written', async () => {
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stored: PendingRequest[] = [];
    const log: RequestLogRepository = {
      append: async (records) => {
        await stalled;
        stored.push(...records);
      },
      page: async () => ({ records: [], next: null }),
      window: async () => [],
      prune: async () => 0,
      count: async () => stored.length,
    };
    const metrics = new Metrics();
    const recorder = new RequestRecorder({
      log,
      clock: manualClock(T0),
      retentionMs: 60_000,
      max: 1000,
      metrics,
      batchSize: 10,
      queueLimit: 100,
    });
    for (let i = 0; i < 1000; i++) recorder.record(answered(i, T0 + i));
    // The queue holds its limit; the rest are dropped.
    assert.equal(recorder.queued, 100);
    assert.equal(recorder.dropped, 900);
    // The write of those hundred starts, and the store does not answer.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(recorder.queued, 0);
    for (let i = 0; i < 1000; i++) recorder.record(answered(i, T0 + i));
    assert.equal(recorder.queued, 100, 'the queue stops at its limit while the store stalls');
    assert.equal(recorder.dropped, 1800);
    release();
    await recorder.stop();
    assert.equal(stored.length, 200, 'what was queued is written once the store answers');
    const text = await metrics.registry.getSingleMetricAsString('gatehouse_request_records_total');
    assert.match(text, /outcome="dropped"} 1800/);
    assert.match(text, /outcome="written"} 200/);
  });

  test('a live follower sees every record, written or not', () => {
    const recorder = new RequestRecorder({
      log: {} as RequestLogRepository,
      clock: manualClock(T0),
      retentionMs: 60_000,
      max: 1000,
      queueLimit: 0,
    });
    const seen: RequestRecord[] = [];
    const stop = recorder.follow((r) => seen.push(r));
    recorder.record(answered(1, T0));
    stop();
    recorder.record(answered(2, T0));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.at, new Date(T0).toISOString());
    assert.equal(seen[0]!.path, '/');
  });
});

querySuite('sqlite', async () => SqliteStore.open(tempDir('gatehouse-requests-')));

let redis: RedisServer;
let db = 0;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});
querySuite('redis', async () => RedisStore.open(`${redis.url}?prefix=rq${db++}:`));
