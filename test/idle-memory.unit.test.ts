import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fullCollector,
  IDLE_MEMORY_DEFAULTS,
  idleCollectionPolicy,
  type MemorySample,
  releaseMemoryWhenIdle,
} from '../src/core/idle-memory.ts';
import { waitFor } from './helpers/wait-for.ts';

const MiB = 1024 * 1024;

describe('idle memory release', () => {
  // Two quiet intervals in a row make a process idle here; the default asks for six.
  const options = { ...IDLE_MEMORY_DEFAULTS, quietIntervals: 2 };
  const busy = (mib: number): MemorySample => ({ utilization: 0.6, rssBytes: mib * MiB });
  const quiet = (mib: number): MemorySample => ({ utilization: 0.01, rssBytes: mib * MiB });
  const cases: { name: string; samples: MemorySample[]; expected: boolean[] }[] = [
    { name: 'busy with grown memory: wait', samples: [busy(300), busy(300)], expected: [false, false] },
    {
      name: 'quiet for long enough after a burst: collect',
      samples: [busy(300), quiet(300), quiet(300)],
      expected: [false, false, true],
    },
    {
      name: 'a short lull between bursts: wait',
      samples: [busy(300), quiet(300), busy(300), quiet(300)],
      expected: [false, false, false, false],
    },
    {
      name: 'quiet without growth: nothing to give back',
      samples: [quiet(120), quiet(120), quiet(120)],
      expected: [false, false, false],
    },
    {
      name: 'memory that fell below the baseline becomes the new baseline',
      samples: [quiet(60), quiet(100)],
      expected: [false, true],
    },
  ];
  for (const { name, samples, expected } of cases) {
    test(name, () => {
      const policy = idleCollectionPolicy(options, 100 * MiB);
      assert.deepEqual(
        samples.map((sample) => policy.shouldCollect(sample)),
        expected,
      );
    });
  }

  test('after a collection, growth is measured from what it left', () => {
    const policy = idleCollectionPolicy(options, 100 * MiB);
    assert.equal(policy.shouldCollect(quiet(200)), false);
    assert.equal(policy.shouldCollect(quiet(200)), true);
    // Live memory grew for good (say, new tunnels): one collection, then no repeats.
    policy.collected(190 * MiB);
    assert.equal(policy.shouldCollect(quiet(200)), false);
    assert.equal(policy.shouldCollect(quiet(230)), true);
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

  test('out of file descriptors, a look that cannot read memory is skipped, and the process goes on', async () => {
    // uv_resident_set_memory opens /proc/self/stat; with no descriptor left it throws EMFILE.
    const emfile = Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), {
      code: 'EMFILE',
    });
    let looks = 0;
    let sixth: () => void = () => {};
    const sixLooks = new Promise<void>((resolve) => {
      sixth = resolve;
    });
    const stop = releaseMemoryWhenIdle(
      { intervalMs: 10, quietBelow: 1, quietIntervals: 1, growthBytes: 0 },
      () => assert.fail('nothing to collect without a reading'),
      () => {
        if (++looks === 6) sixth();
        throw emfile;
      },
    );
    try {
      await sixLooks;
      assert.ok(looks >= 6);
    } finally {
      stop();
    }
  });

  test('a process that goes quiet after growing is collected once', async (t) => {
    // Every look the release takes at the process reads its resident memory.
    const looks = t.mock.method(process.memoryUsage, 'rss');
    let collections = 0;
    const collect = fullCollector();
    assert.ok(collect);
    let burst: unknown[] | undefined;
    const stop = releaseMemoryWhenIdle(
      { intervalMs: 50, quietBelow: 0.5, quietIntervals: 2, growthBytes: 16 * MiB },
      () => {
        collections++;
        burst = undefined;
        collect();
      },
    );
    try {
      burst = Array.from({ length: 400_000 }, (_, i) => Buffer.alloc(128, i));
      assert.ok(burst.length > 0);
      await waitFor('a collection', () => collections > 0, { timeoutMs: 5_000 });
      // Quiet for longer than it takes to be idle again: a second collection would have come by now.
      const seen = looks.mock.callCount();
      await waitFor('more looks at the process', () => looks.mock.callCount() >= seen + 4);
      assert.equal(collections, 1);
    } finally {
      stop();
    }
  });
});
