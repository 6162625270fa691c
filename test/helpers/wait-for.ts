import { setTimeout as pause } from 'node:timers/promises';

/** How {@link waitFor} polls and what it reports when it gives up. */
export interface WaitOptions {
  /** How long the condition may take before the test fails; 10 s unless told. */
  readonly timeoutMs?: number;
  /** Time between two looks at the condition. */
  readonly intervalMs?: number;
  /** Extra context for the failure message, read when it fails (a process's output, say). */
  readonly detail?: () => string;
}

/**
 * Polls `check` until it returns something truthy and resolves with that value; fails naming
 * `what` once `timeoutMs` pass. For states a test can look at but not subscribe to; an event,
 * where there is one, is better awaited with `once`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 20, detail } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    }
    await pause(intervalMs);
  }
}
