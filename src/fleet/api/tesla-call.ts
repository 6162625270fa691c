import { readCappedAnswer } from '../../core/capped-answer.ts';
import { GatehouseError } from '../../core/errors.ts';
import { explainTeslaAnswer, readTeslaAnswer } from './tesla-error.ts';

/** How long one call to Tesla may take, connection to last byte. */
export const TESLA_CALL_TIMEOUT_MS = 10_000;
/** Largest answer read from Tesla: its JSON answers are kilobytes; anything far larger is not Tesla. */
export const TESLA_ANSWER_LIMIT_BYTES = 1024 * 1024;

/** The answer's body as text, refusing to hold more than `limit` bytes of it. */
export async function readCappedText(res: Response, limit = TESLA_ANSWER_LIMIT_BYTES): Promise<string> {
  const body = await readCappedAnswer(
    res,
    limit,
    (declared) =>
      new GatehouseError(
        'FLEET_UNAVAILABLE',
        declared === undefined
          ? `the answer runs past the ${limit} bytes read from Tesla`
          : `the answer is ${declared} bytes, more than the ${limit} read from Tesla`,
      ),
  );
  return body.toString('utf8');
}

/** What a call to Tesla answered: the response, and its body parsed as JSON (the text if it is not). */
export interface TeslaReply {
  readonly res: Response;
  readonly body: unknown;
  /** The body as it came. */
  readonly text: string;
}

/**
 * One HTTP call to Tesla (or the simulator) within {@link TESLA_CALL_TIMEOUT_MS}, its answer read up
 * to {@link TESLA_ANSWER_LIMIT_BYTES}. A call that never got an answer is a {@link TeslaApiError}
 * saying so; any answer, success or not, is the caller's to read.
 */
export async function callTesla(
  doFetch: typeof fetch,
  url: string,
  init: RequestInit,
  what: string,
  timeoutMs = TESLA_CALL_TIMEOUT_MS,
): Promise<TeslaReply> {
  const unreachable = (error: unknown) =>
    explainTeslaAnswer(
      readTeslaAnswer(0, String((error as Error).cause ?? error), new Headers()),
      `${what} could not be reached`,
    );
  let res: Response;
  let raw: string;
  try {
    res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    raw = await readCappedText(res);
  } catch (error) {
    throw error instanceof GatehouseError ? error : unreachable(error);
  }
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {}
  return { res, body, text: raw };
}
