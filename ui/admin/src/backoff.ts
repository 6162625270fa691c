/** How long to wait before opening a dropped stream again: doubling from `baseMs`, never above `capMs`. */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Half a second after the first drop, then 1, 2, 4, 8 and at most 10 s between tries. */
export const BACKOFF: Backoff = { baseMs: 500, capMs: 10_000 };

/**
 * The wait before try `attempt` (0 for the first after a drop): doubling, capped, up to a quarter
 * shorter at random (`random` in [0, 1)) so many open tabs do not all come back in the same instant.
 */
export function retryDelay(attempt: number, backoff: Backoff = BACKOFF, random = Math.random): number {
  const full = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(full * (1 - random() / 4));
}
