/** Capped exponential backoff with full jitter: the n-th retry waits up to min(cap, base·2ⁿ). */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  // Never less than half the ceiling, so a crowd of agents spreads out without retrying instantly.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
