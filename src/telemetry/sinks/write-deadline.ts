import { GatehouseError } from '../../core/errors.ts';

/** The error every durable sink rejects a write with: the broker did not confirm, so no ack is sent. */
export function sinkUnavailable(
  sink: string,
  reason: string,
  cause?: unknown,
): GatehouseError<'FLEET_SINK_UNAVAILABLE'> {
  return new GatehouseError(
    'FLEET_SINK_UNAVAILABLE',
    `the ${sink} sink could not store the record: ${reason}; the vehicle is not acked and will resend it`,
    { cause },
  );
}

/** What the work under a deadline can use: the deadline as a signal, and the time left. */
export interface WriteDeadline {
  /** Aborted when the deadline passes: waiters remove their listeners. */
  readonly signal: AbortSignal;
  /** Milliseconds left, at least 1: for client calls that take their own timeout. */
  remainingMs(): number;
}

/**
 * Runs `work` with a deadline: resolves with its result, or rejects with {@link sinkUnavailable}
 * once `timeoutMs` pass, so a write never hangs on a silent broker. `stall` says, at that moment,
 * what the sink was waiting for (the connection, or the broker's answer).
 */
export async function withWriteDeadline<T>(
  sink: string,
  timeoutMs: number,
  stall: () => string,
  work: (deadline: WriteDeadline) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(sinkUnavailable(sink, `${stall()} (waited ${timeoutMs} ms)`));
      controller.abort();
    }, timeoutMs);
  });
  const attempt = work({
    signal: controller.signal,
    remainingMs: () => Math.max(1, Math.round(timeoutMs - (performance.now() - started))),
  });
  // The losing side of the race must not surface as an unhandled rejection.
  attempt.catch(() => {});
  try {
    return await Promise.race([attempt, expired]);
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    throw sinkUnavailable(sink, error instanceof Error ? error.message : String(error), error);
  } finally {
    clearTimeout(timer);
  }
}

/** The part of an event emitter {@link untilReady} needs. */
interface Emitter {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * Resolves when `ready()` holds, checking again on each `event` of `emitter`; gives up silently
 * when `signal` aborts (the deadline has already rejected the write by then).
 */
export function untilReady(
  emitter: Emitter,
  event: string,
  ready: () => boolean,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) return resolve();
    const check = () => {
      if (!ready()) return;
      emitter.off(event, check);
      resolve();
    };
    emitter.on(event, check);
    signal.addEventListener('abort', () => emitter.off(event, check), { once: true });
  });
}
