import type { Clock } from '../../core/clock.ts';

/** Per-connection rate limit: at most `limit` messages in each window of `intervalMs`. */
export class RateWindow {
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  #start = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(limit: number, intervalMs: number, clock: Clock) {
    this.#limit = limit;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** True when one more message fits in the current window (and counts it). */
  allow(): boolean {
    const now = this.#clock();
    if (now - this.#start >= this.#intervalMs) {
      this.#start = now;
      this.#count = 0;
    }
    if (this.#count >= this.#limit) return false;
    this.#count++;
    return true;
  }
}
