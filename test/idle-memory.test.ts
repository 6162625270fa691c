import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  fullCollector,
  IDLE_MEMORY_DEFAULTS,
  idleCollectionPolicy,
  type MemorySample,
  releaseMemoryWhenIdle,
} from '../src/observability/idle-memory.ts';

const MiB = 1024 * 1024;

describe('idle memory release', () => {
  const cases: { name: string; samples: MemorySample[]; expected: boolean[] }[] = [
    {
      name: 'busy with grown memory: wait',
      samples: [{ utilization: 0.6, rssBytes: 300 * MiB }],
      expected: [false],
    },
    {
      name: 'quiet after a burst: collect',
      samples: [
        { utilization: 0.6, rssBytes: 300 * MiB },
        { utilization: 0.01, rssBytes: 300 * MiB },
      ],
      expected: [false, true],
    },
    {
      name: 'quiet without growth: nothing to give back',
      samples: [{ utilization: 0, rssBytes: 120 * MiB }],
      expected: [false],
    },
    {
      name: 'memory that fell below the baseline becomes the new baseline',
      samples: [
        { utilization: 0, rssBytes: 60 * MiB },
        { utilization: 0, rssBytes: 100 * MiB },
      ],
      expected: [false, true],
    },
  ];
  for (const { name, samples, expected } of cases) {
    test(name, () => {
      const policy = idleCollectionPolicy(IDLE_MEMORY_DEFAULTS, 100 * MiB);
      assert.deepEqual(
        samples.map((s) => policy.shouldCollect(s)),
        expected,
      );
    });
  }

  test('after a collection, growth is measured from what it left', () => {
    const policy = idleCollectionPolicy(IDLE_MEMORY_DEFAULTS, 100 * MiB);
    assert.equal(policy.shouldCollect({ utilization: 0, rssBytes: 200 * MiB }), true);
    // Live memory grew for good (say, new tunnels): one collection, then no repeats.
    policy.collected(190 * MiB);
    assert.equal(policy.shouldCollect({ utilization: 0, rssBytes: 200 * MiB }), false);
  });

  test('the collector frees garbage for real', () => {
    const collect = fullCollector();
    assert.ok(collect, 'this runtime offers a full collection');
    let garbage: unknown[] | undefined = Array.from({ length: 500_000 }, (_, i) => ({ i, s: `x${i}` }));
    const withGarbage = process.memoryUsage().heapUsed;
    assert.ok(garbage.length > 0);
    garbage = undefined;
    collect();
    assert.ok(
      process.memoryUsage().heapUsed < withGarbage - 10 * MiB,
      `heap used ${process.memoryUsage().heapUsed} after collecting, ${withGarbage} before`,
    );
  });

  test('a process that goes quiet after growing is collected once', async () => {
    let collections = 0;
    const collect = fullCollector();
    assert.ok(collect);
    let burst: unknown[] | undefined;
    const stop = releaseMemoryWhenIdle({ intervalMs: 50, quietBelow: 0.5, growthBytes: 16 * MiB }, () => {
      collections++;
      burst = undefined;
      collect();
    });
    try {
      burst = Array.from({ length: 400_000 }, (_, i) => Buffer.alloc(128, i));
      assert.ok(burst.length > 0);
      for (let waited = 0; collections === 0 && waited < 5_000; waited += 50) await sleep(50);
      await sleep(300);
      assert.equal(collections, 1);
    } finally {
      stop();
    }
  });
});
