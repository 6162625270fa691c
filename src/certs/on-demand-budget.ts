import type { Clock } from '../core/clock.ts';

/**
 * How many names one node certifies on demand per hour: each new name is an order at the CA, and
 * anyone can send a handshake for any name a wildcard route matches.
 */
export class OnDemandBudget {
  readonly #perHour: number;
  readonly #clock: Clock;
  readonly #taken: number[] = [];

  constructor(perHour: number, clock: Clock) {
    this.#perHour = perHour;
    this.#clock = clock;
  }

  /** Takes one order from the budget; false when the last hour used it up. */
  take(): boolean {
    const now = this.#clock();
    while (this.#taken.length > 0 && this.#taken[0]! <= now - 3_600_000) this.#taken.shift();
    if (this.#taken.length >= this.#perHour) return false;
    this.#taken.push(now);
    return true;
  }
}
