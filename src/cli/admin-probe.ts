import { setTimeout as pause } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { ADMIN_API_TITLE } from '../admin/openapi.ts';
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
  const dispatcher = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  try {
    const res = await request(new URL('/api/v1/openapi.json', server), {
      headers: { accept: 'application/json' },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(dispatcher ? { dispatcher } : {}),
    });
    status = res.statusCode;
    const text = await res.body.text();
    try {
      title = (JSON.parse(text) as { info?: { title?: unknown } }).info?.title;
    } catch {
      title = undefined;
    }
  } catch (error) {
    return {
      ok: false,
      unreachable: true,
      reason: `could not reach ${server.origin}: ${(error as Error).message}`,
      error: (error as Error).message,
    };
  } finally {
    dispatcher?.close().catch(() => {});
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
 * to it before it has answered as Gatehouse. `onWait` hears of each failed attempt.
 */
export async function awaitAdminApi(
  server: URL,
  options: { ca?: Buffer | undefined; retryForMs: number; onWait?: (error: string, delayMs: number) => void },
): Promise<AdminProbe & { readonly waitedMs: number }> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const probe = await probeAdminApi(server, { ca: options.ca });
    const waitedMs = Date.now() - started;
    if (probe.ok || !probe.unreachable) return { ...probe, waitedMs };
    if (options.retryForMs > 0 && waitedMs >= options.retryForMs) return { ...probe, waitedMs };
    let delay = backoffDelay(attempt, 500, 5_000);
    // The last attempt is made when the retry time ends, not a whole backoff step after it.
    if (options.retryForMs > 0) delay = Math.min(delay, options.retryForMs - waitedMs);
    options.onWait?.(probe.error ?? probe.reason, delay);
    await pause(delay);
  }
}
