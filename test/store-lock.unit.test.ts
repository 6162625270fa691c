import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { StoreError } from '../src/store/errors.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { withStoreLock } from '../src/store/store-lock.ts';
import { tempDir } from './helpers/temp-dirs.ts';

describe('a lock in the store', () => {
  const clock = manualClock(Date.parse('2026-12-01T00:00:00Z'));
  const store = SqliteStore.open(tempDir('gatehouse-lock-'), clock);
  after(() => store.close());

  test('runs one holder at a time, in turn', async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withStoreLock(store.ephemeral, 'k', async () => {
        order.push(`${name} in`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        order.push(`${name} out`);
        return name;
      });
    assert.deepEqual(await Promise.all([hold('a'), hold('b')]), ['a', 'b']);
    assert.deepEqual(order, ['a in', 'a out', 'b in', 'b out']);
  });

  test('is released when the work throws', async () => {
    await assert.rejects(
      withStoreLock(store.ephemeral, 'k', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await withStoreLock(store.ephemeral, 'k', async () => 'free again'), 'free again');
  });

  test('gives up with STORE_CONFLICT while another holds it, and a dead holder’s lock expires', async () => {
    // A holder that died: its lock is in the store with nobody to release it.
    assert.ok(await store.ephemeral.putIfAbsent('store-lock', 'dead', 'gone-node', 10_000));
    const busy = await withStoreLock(store.ephemeral, 'dead', async () => 'ran', { waitMs: 50 }).catch(
      (e: unknown) => e,
    );
    assert.ok(busy instanceof StoreError && busy.code === 'STORE_CONFLICT', String(busy));
    assert.match(busy.message, /busy with another change: try again/);
    clock.advance(10_000);
    assert.equal(await withStoreLock(store.ephemeral, 'dead', async () => 'ran'), 'ran');
  });
});
