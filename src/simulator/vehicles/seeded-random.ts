import { createHash } from 'node:crypto';

/**
 * A small deterministic random source (mulberry32), seeded from text: the same seed and VIN give
 * the same alerts and errors on every run, so tests and benchmarks repeat exactly.
 */

/** A function returning numbers in [0, 1). */
export type Random = () => number;

/** A generator seeded from `seed` (any text, e.g. `"42/5YJ3…"`). */
export function seededRandom(seed: string): Random {
  let state = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One of `items`, chosen by `random`. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}
