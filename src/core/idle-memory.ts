import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One look at the process, taken every {@link IdleMemoryOptions.intervalMs}. */
export interface MemorySample {
  /** Share of the last interval the event loop was busy, 0 to 1. */
  readonly utilization: number;
  /** Resident memory now, in bytes. */
  readonly rssBytes: number;
}

/** When a quiet process gives memory back. */
export interface IdleMemoryOptions {
  readonly intervalMs: number;
  /** Below this event-loop utilisation an interval counts as quiet. */
  readonly quietBelow: number;
  /** How many quiet intervals in a row make the process idle. */
  readonly quietIntervals: number;
  /** How far resident memory must have grown since the last collection to be worth one. */
  readonly growthBytes: number;
}

/**
 * Defaults: look every 5 s; collect after 30 s of quiet with 32 MiB more resident than the last
 * collection left. The wait is long on purpose: a compacting collection also resets V8's sizing,
 * and the next burst runs with slower, more frequent collections for some ten seconds, so a
 * short lull between bursts is not worth it.
 */
export const IDLE_MEMORY_DEFAULTS: IdleMemoryOptions = {
  intervalMs: 5_000,
  quietBelow: 0.02,
  quietIntervals: 6,
  growthBytes: 32 * 1024 * 1024,
};

/**
 * Decides, sample by sample, when to collect: the process has been quiet for a while and holds
 * much more memory than after the last collection. V8 collects only when allocating, so the
 * garbage of a burst (young-generation space grown to its maximum, buffers, promoted request
 * objects) would otherwise stay resident for as long as the process stays idle. `baselineBytes`
 * is resident memory at start; call `collected` with the figure after each collection. A later,
 * lower sample becomes the baseline, since V8 hands pages back some time after it collects.
 */
export function idleCollectionPolicy(options: IdleMemoryOptions, baselineBytes: number) {
  let baseline = baselineBytes;
  let quiet = 0;
  return {
    shouldCollect(sample: MemorySample): boolean {
      if (sample.rssBytes < baseline) baseline = sample.rssBytes;
      quiet = sample.utilization < options.quietBelow ? quiet + 1 : 0;
      return quiet >= options.quietIntervals && sample.rssBytes - baseline >= options.growthBytes;
    },
    collected(rssBytes: number): void {
      baseline = rssBytes;
    },
  };
}

/**
 * A function that runs a memory-reducing full garbage collection, or undefined where the runtime
 * does not offer one. The flag makes V8 define `gc` in new contexts only; the process's own
 * globals stay as they are. A plain full collection frees objects but keeps their pages; the
 * last-resort flavour also compacts and returns the emptied pages to the system.
 */
export function fullCollector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc !== 'function') return undefined;
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return undefined;
  }
}

/**
 * Gives memory back once a busy process goes quiet (as JVMs do with periodic collections of an
 * idle heap): a full collection lets V8 release the pages a burst left behind. Returns a stop function.
 */
export function releaseMemoryWhenIdle(
  options: IdleMemoryOptions = IDLE_MEMORY_DEFAULTS,
  collect: (() => void) | undefined = fullCollector(),
  readRss: () => number = () => process.memoryUsage.rss(),
): () => void {
  if (!collect) return () => {};
  // Reading resident memory opens /proc/self/stat: out of descriptors (EMFILE) it throws, and a
  // throw in this timer would end the process. A sample that cannot be taken is skipped.
  const rss = () => {
    try {
      return readRss();
    } catch {
      return undefined;
    }
  };
  const policy = idleCollectionPolicy(options, rss() ?? 0);
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    const rssBytes = rss();
    if (rssBytes === undefined || !policy.shouldCollect({ utilization, rssBytes })) return;
    collect();
    const after = rss();
    if (after !== undefined) policy.collected(after);
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
