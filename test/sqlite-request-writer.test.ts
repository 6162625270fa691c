import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { StoreError } from '../src/store/errors.ts';
import type { PendingRequest } from '../src/store/request-log.ts';
import { RequestLogWriter, THREAD_BATCH_MAX } from '../src/store/sqlite/request-log-writer.ts';
import { SqliteRequestLog } from '../src/store/sqlite/sqlite-request-log.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { answeredRequest } from './helpers/answered-requests.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** `n` requests with ids `<prefix>0`, `<prefix>1`…, a millisecond apart. */
function requests(prefix: string, n: number, host: string | null = 'app.example.com'): PendingRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    entry: answeredRequest(T0 + i, {
      host: host as string,
      path: `/items/${i}`,
      durationMs: 1.5,
      bytesIn: 80,
      bytesOut: 200,
    }),
  }));
}

/** A migrated database file, and a request log on it whose batches go to a writer thread. */
async function threadedLog(t: { after(fn: () => Promise<void>): void }) {
  const dir = tempDir('gatehouse-request-writer-');
  await SqliteStore.open(dir).close();
  const file = join(dir, 'gatehouse.db');
  const db = new DatabaseSync(file);
  const writer = new RequestLogWriter(file);
  t.after(async () => {
    await writer.close();
    db.close();
  });
  return { file, db, writer, log: new SqliteRequestLog(db, writer) };
}

describe("the SQLite request log's writer thread", () => {
  test("a file store's batches are written off this thread, and its reads see them once committed", async (t) => {
    const { file, writer, log } = await threadedLog(t);
    await log.append(requests('a', 3), 1000);
    await writer.start();
    // Another connection takes the write lock. Were the insert made on this thread, append would
    // wait out the busy timeout here and fail; the writer thread waits instead, and this one runs on.
    const other = new DatabaseSync(file);
    t.after(async () => other.close());
    other.exec('BEGIN IMMEDIATE');
    const appended = log.append(requests('b', 3), 1000);
    let settled = false;
    void appended.finally(() => {
      settled = true;
    });
    assert.equal(await log.count(), 3, 'reads go on while the batch waits for the lock');
    assert.equal(settled, false);
    other.exec('COMMIT');
    await appended;
    assert.equal(await log.count(), 6);
    const page = await log.page({}, 10);
    assert.deepEqual(
      page.records.map((r) => r.id),
      ['b2', 'b1', 'b0', 'a2', 'a1', 'a0'],
    );
    assert.equal(page.records[0]!.path, '/items/2');
    assert.equal(page.records[0]!.at, new Date(T0 + 2).toISOString());
  });

  test('close() writes every batch already handed to the thread before it stops', async (t) => {
    const { writer, log, db } = await threadedLog(t);
    await writer.start();
    const appends = Array.from({ length: 20 }, (_, b) => log.append(requests(`b${b}-`, 500), 100_000));
    await writer.close();
    await Promise.all(appends);
    assert.equal(writer.running, false);
    assert.equal(await log.count(), 10_000);
    assert.deepEqual(
      (await log.page({}, 1)).records.map((r) => r.id),
      ['b19-499'],
      'in the order given',
    );
    assert.equal(db.isOpen, true);
    await assert.rejects(log.append(requests('late', 1), 1000), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      return true;
    });
  });

  test("a store's close() after append loses nothing, whichever thread wrote", async () => {
    const dir = tempDir('gatehouse-request-writer-');
    const store = SqliteStore.open(dir);
    await store.requests.append(requests('first-', 500), 100_000);
    const appends = Array.from({ length: 10 }, (_, b) =>
      store.requests.append(requests(`b${b}-`, 500), 100_000),
    );
    await store.close();
    await Promise.all(appends);
    const reopened = SqliteStore.open(dir);
    try {
      assert.equal(await reopened.requests.count(), 5500);
    } finally {
      await reopened.close();
    }
  });

  test('a thread that dies rejects the batch it held, and the next batch starts a new one', async (t) => {
    const { writer, log } = await threadedLog(t);
    await writer.start();
    const lost = log.append(requests('lost', THREAD_BATCH_MAX), 100_000);
    await writer.kill();
    await assert.rejects(lost, (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.match(error.message, /writer thread stopped .*the next batch starts a new one/);
      return true;
    });
    assert.equal(writer.running, false);
    // Written here while the new thread starts, then by it.
    await log.append(requests('next', 5), 100_000);
    assert.equal(writer.running, true);
    await writer.start();
    await log.append(requests('then', 5), 100_000);
    const newest = (await log.page({}, 10)).records.map((r) => r.id);
    assert.deepEqual(newest, [
      'then4',
      'then3',
      'then2',
      'then1',
      'then0',
      'next4',
      'next3',
      'next2',
      'next1',
      'next0',
    ]);
  });

  test("a batch SQLite refuses is rejected with SQLite's reason, none of it kept, and the thread goes on", async (t) => {
    const { writer, log } = await threadedLog(t);
    await writer.start();
    await assert.rejects(log.append([...requests('ok', 2), ...requests('bad', 1, null)], 1000), /NOT NULL/);
    assert.equal(await log.count(), 0, 'the batch is one transaction');
    await log.append(requests('after', 2), 1000);
    assert.equal(await log.count(), 2);
  });

  test('a thread that cannot start leaves every batch to this thread, and is not started again', async (t) => {
    const dir = tempDir('gatehouse-request-writer-');
    await SqliteStore.open(dir).close();
    const db = new DatabaseSync(join(dir, 'gatehouse.db'));
    // A directory is no database: the thread fails as it opens it.
    const writer = new RequestLogWriter(dir);
    t.after(async () => {
      await writer.close();
      db.close();
    });
    const log = new SqliteRequestLog(db, writer);
    await log.append(requests('a', 2), 1000);
    await assert.rejects(writer.start(), /unable to open database/);
    assert.equal(writer.running, false);
    await log.append(requests('b', 2), 1000);
    assert.equal(writer.running, false);
    assert.equal(await log.count(), 4);
  });

  test('a backlog batch bigger than the thread takes is written here, in order', async (t) => {
    const { writer, log } = await threadedLog(t);
    await writer.start();
    await log.append(requests('steady', 10), 100_000);
    await log.append(requests('backlog', THREAD_BATCH_MAX + 1), 100_000);
    assert.equal(await log.count(), THREAD_BATCH_MAX + 11);
    assert.equal((await log.page({}, 1)).records[0]!.id, `backlog${THREAD_BATCH_MAX}`);
  });

  test('an idle writer thread does not hold the process open', async () => {
    const dir = tempDir('gatehouse-request-writer-');
    const script = join(dir, 'record-and-return.mts');
    const source = (file: string) =>
      JSON.stringify(new URL(`../src/store/sqlite/${file}`, import.meta.url).href);
    // Hands the thread a batch and ends its script without closing: the process must exit by itself.
    writeFileSync(
      script,
      `import { DatabaseSync } from 'node:sqlite';
import { RequestLogWriter } from ${source('request-log-writer.ts')};
import { SqliteRequestLog } from ${source('sqlite-request-log.ts')};
import { SqliteStore } from ${source('sqlite-store.ts')};
await SqliteStore.open(${JSON.stringify(dir)}).close();
const file = ${JSON.stringify(join(dir, 'gatehouse.db'))};
const writer = new RequestLogWriter(file);
const log = new SqliteRequestLog(new DatabaseSync(file), writer);
await writer.start();
await log.append([{ id: 'x', entry: ${JSON.stringify(requests('x', 1)[0]!.entry)} }], 10);
console.log(writer.running, await log.count());
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      timeout: 30_000,
    });
    assert.equal(stdout.trim(), 'true 1');
  });
});
