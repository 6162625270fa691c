import { setTimeout as pause } from 'node:timers/promises';
import { request } from 'undici';
import { ADMIN_API_TITLE } from '../admin/openapi.ts';
import { connectFailure } from '../http/connect-failure.ts';
import { outboundAgent } from '../http/outbound.ts';
import { backoffDelay } from '../tunnel/agent/backoff.ts';

/** What {@link probeAdminApi} found: Gatehouse's admin API, or why the server is not trusted with a key. */
export type AdminProbe =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly unreachable: boolean;
      readonly reason: string;
      /** For an unreachable server: what connecting failed with. */
      readonly error?: string;
      /** For an unreachable server: trying again cannot help (no such name, https to plain HTTP). */
      readonly permanent?: boolean;
    };

/**
 * Asks a server, without credentials, for Gatehouse's OpenAPI description. Only a server that
 * answers it is given an admin or tunnel key: any other host (the deployed app behind a relay
 * route, say) would simply receive the key.
 */
export async function probeAdminApi(
  server: URL,
  options: { ca?: Buffer | undefined } = {},
): Promise<AdminProbe> {
  let status: number;
  let title: unknown;
  const dispatcher = outboundAgent({ ca: options.ca });
  try {
    const res = await request(new URL('/api/v1/openapi.json', server), {
      headers: { accept: 'application/json' },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      dispatcher,
    });
    status = res.statusCode;
    const text = await res.body.text();
    try {
      title = (JSON.parse(text) as { info?: { title?: unknown } }).info?.title;
    } catch {
      title = undefined;
    }
  } catch (error) {
    const failure = connectFailure(error, server);
    return {
      ok: false,
      unreachable: true,
      reason: `could not reach ${server.origin}: ${failure.message}`,
      error: failure.message,
      permanent: failure.permanent,
    };
  } finally {
    dispatcher.close().catch(() => {});
  }
  if (status === 200 && title === ADMIN_API_TITLE) return { ok: true };
  return {
    ok: false,
    unreachable: false,
    reason: `${server.origin} is not Gatehouse's admin API (GET /api/v1/openapi.json answered ${status}${
      status === 200 ? ' without the Gatehouse description' : ''
    })`,
  };
}

/**
 * {@link probeAdminApi} until the server answers, with the agent's backoff, for up to
 * `retryForMs` (0: no limit): a server that is not up yet is waited for, and nothing is sent
 * to it before it has answered as Gatehouse. A failure no retry can help (a name that does not
 * exist) ends it at once. `onWait` hears of each failed attempt.
 */
export async function awaitAdminApi(
  server: URL,
  options: { ca?: Buffer | undefined; retryForMs: number; onWait?: (error: string, delayMs: number) => void },
): Promise<AdminProbe & { readonly waitedMs: number }> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const probe = await probeAdminApi(server, { ca: options.ca });
    const waitedMs = Date.now() - started;
    if (probe.ok || !probe.unreachable || probe.permanent) return { ...probe, waitedMs };
    if (options.retryForMs > 0 && waitedMs >= options.retryForMs) return { ...probe, waitedMs };
    let delay = backoffDelay(attempt, 500, 5_000);
    // The last attempt is made when the retry time ends, not a whole backoff step after it.
    if (options.retryForMs > 0) delay = Math.min(delay, options.retryForMs - waitedMs);
    options.onWait?.(probe.error ?? probe.reason, delay);
    await pause(delay);
  }
}
