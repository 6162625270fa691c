import { randomUUID } from 'node:crypto';
import { setTimeout as wait } from 'node:timers/promises';
import { StoreError } from './errors.ts';
import type { EphemeralRepository } from './types.ts';

/** How a {@link withStoreLock} waits for and holds its lock. */
export interface StoreLockOptions {
  /** Longest the lock holds if its holder dies; well over what the work takes. */
  readonly holdMs?: number;
  /** Longest to wait for another holder before giving up with `STORE_CONFLICT`. */
  readonly waitMs?: number;
}

const LOCKS = 'store-lock';
const RETRY_MS = 25;

/**
 * Runs `work` while holding a lock named `key` in the store, so a check-then-write (a count
 * against a limit, then an insert) runs on one node at a time. Meant for short work: the lock
 * expires after `holdMs` should its node die, and only its own holder releases it.
 */
export async function withStoreLock<T>(
  ephemeral: EphemeralRepository,
  key: string,
  work: () => Promise<T>,
  { holdMs = 10_000, waitMs = 5_000 }: StoreLockOptions = {},
): Promise<T> {
  const token = randomUUID();
  // Counted in tries rather than read from a clock: waiting is real time whatever clock runs.
  for (
    let tries = Math.ceil(waitMs / RETRY_MS);
    !(await ephemeral.putIfAbsent(LOCKS, key, token, holdMs));
    tries--
  ) {
    if (tries <= 0)
      throw new StoreError('STORE_CONFLICT', `${key} is busy with another change: try again in a moment`);
    await wait(RETRY_MS);
  }
  try {
    return await work();
  } finally {
    await ephemeral.deleteIf(LOCKS, key, token);
  }
}
