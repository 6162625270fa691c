import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { GatehouseError, type SimulatorApiErrorCode } from '../core/errors.ts';
import { statusForCode } from '../http/error-status.ts';

/** How a Fleet API error is written besides its `error` text. */
export interface SimulatorApiErrorOptions {
  readonly description?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Tesla's 412 body is `{"error": …}` alone, not the usual envelope. */
  readonly bare?: boolean;
  /** 422 `messages` per field. */
  readonly messages?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A refusal the simulated Fleet API sends, in Tesla's words: `message` is Tesla's `error` text.
 * The other end is the Fleet kit's `TeslaApiError`, what a client makes of such an answer.
 */
export class SimulatorApiError extends GatehouseError<SimulatorApiErrorCode> {
  readonly options: SimulatorApiErrorOptions;
  constructor(code: SimulatorApiErrorCode, error: string, options: SimulatorApiErrorOptions = {}) {
    super(code, error);
    this.options = options;
  }
}

/** A transaction id as Tesla writes it: 32 hex characters. */
export function newTxid(): string {
  return randomBytes(16).toString('hex');
}

/** The answer Tesla gives for `error`: its envelope, `x-txid`, and any extra headers. */
export function teslaErrorResponse(c: Context, error: unknown): Response {
  const txid = newTxid();
  if (!(error instanceof SimulatorApiError)) {
    return c.json({ response: null, error: 'internal server error', error_description: '', txid }, 500, {
      'x-txid': txid,
    });
  }
  const status = statusForCode(error.code) as 400;
  const headers = { 'x-txid': txid, 'x-request-id': crypto.randomUUID(), ...error.options.headers };
  if (error.options.bare) return c.json({ error: error.message }, status, headers);
  return c.json(
    {
      response: null,
      error: error.message,
      error_description: error.options.description ?? '',
      ...(error.options.messages ? { messages: error.options.messages } : {}),
      txid,
    },
    status,
    headers,
  );
}
