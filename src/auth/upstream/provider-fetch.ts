import { readCappedAnswer } from '../../core/capped-answer.ts';
import { GatehouseError } from '../../core/errors.ts';

/** How long one call to a login provider may take, connection to last byte. */
export const PROVIDER_TIMEOUT_MS = 10_000;
/** Largest answer read from a provider: its JSON answers are kilobytes; far more is not the provider. */
export const PROVIDER_ANSWER_LIMIT_BYTES = 1024 * 1024;

/** Limits of calls to one provider; tests shorten them. */
export interface ProviderCallLimits {
  readonly timeoutMs?: number | undefined;
  readonly maxAnswerBytes?: number | undefined;
}

/**
 * Wraps `fetch` so every call to the provider `label` ends within the timeout and reads at most the
 * answer limit, the body buffered whole. A call that gets no usable answer rejects with a
 * `GatehouseError` naming the provider and what to check; any answer, error statuses included, is
 * returned for the caller to read.
 */
export function boundedFetch(
  doFetch: typeof fetch,
  label: string,
  limits: ProviderCallLimits = {},
): typeof fetch {
  const timeoutMs = limits.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const limit = limits.maxAnswerBytes ?? PROVIDER_ANSWER_LIMIT_BYTES;
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const where = new URL(input instanceof Request ? input.url : String(input));
    const place = `${where.origin}${where.pathname}`;
    try {
      const res = await doFetch(input, { ...init, signal, redirect: 'manual' });
      const body = await readCapped(res, limit, label, place);
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      headers.delete('content-encoding');
      const nullBody = res.status === 204 || res.status === 304;
      return new Response(nullBody ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      if (timeout.aborted)
        throw new GatehouseError(
          'LOGIN_PROVIDER_TIMEOUT',
          `${label} did not answer ${place} within ${timeoutMs / 1000} s; check that it is up and reachable from this server`,
          { cause: error },
        );
      throw new GatehouseError(
        'LOGIN_PROVIDER_UNREACHABLE',
        `${label} could not be reached at ${place} (${causeText(error)}); check its URL in the login settings and this server's network`,
        { cause: error },
      );
    }
  };
}

function readCapped(res: Response, limit: number, label: string, place: string): Promise<Uint8Array> {
  return readCappedAnswer(
    res,
    limit,
    () =>
      new GatehouseError(
        'LOGIN_PROVIDER_INVALID_ANSWER',
        `${label} answered ${place} with more than ${limit} bytes; this is not the answer of ${label}: check its URL in the login settings`,
      ),
  );
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
