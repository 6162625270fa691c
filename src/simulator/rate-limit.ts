import type { Clock } from '../core/clock.ts';
import { SimulatorApiError } from './api-error.ts';

const WINDOW_MS = 60_000;

/** Per-minute request budgets, counted in fixed windows of the clock. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * Counts one request against `key`'s budget of `limit` a minute; over it, throws Tesla's 429 with
   * its `ratelimit-*` and `retry-after` headers.
   */
  take(key: string, limit: number): void {
    const now = this.clock();
    let window = this.windows.get(key);
    if (!window || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    const reset = Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
    if (window.count >= limit) {
      throw new SimulatorApiError('SIM_RATE_LIMITED', `Retry in ${reset} seconds`, {
        headers: {
          'ratelimit-limit': String(limit),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
          'retry-after': String(reset),
        },
      });
    }
    window.count++;
  }
}
