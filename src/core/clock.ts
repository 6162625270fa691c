/**
 * The one time source every component takes: milliseconds since the epoch. Passed in, never read
 * from `Date.now()` directly, so that logic depending on time can be tested with a frozen clock.
 */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/** A clock that stands still until it is moved: for tests and simulations. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `ms` since the epoch. */
  set(ms: number): void;
}

/** A {@link ManualClock} starting at `startMs` (default: the wall clock's time now). */
export function manualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  const clock = (() => current) as ManualClock;
  clock.advance = (ms) => {
    current += ms;
  };
  clock.set = (ms) => {
    current = ms;
  };
  return clock;
}

/** The clock's time as a `Date`. */
export function dateOf(clock: Clock): Date {
  return new Date(clock());
}
