import { request } from 'undici';
import { ADMIN_API_TITLE } from '../admin/openapi.ts';

/** What {@link probeAdminApi} found: Gatehouse's admin API, or why the server is not trusted with a key. */
export type AdminProbe =
  | { readonly ok: true }
  | { readonly ok: false; readonly unreachable: boolean; readonly reason: string };

/**
 * Asks a server, without credentials, for Gatehouse's OpenAPI description. Only a server that
 * answers it is given an admin or tunnel key: any other host (the deployed app behind a relay
 * route, say) would simply receive the key.
 */
export async function probeAdminApi(server: URL): Promise<AdminProbe> {
  let status: number;
  let title: unknown;
  try {
    const res = await request(new URL('/api/v1/openapi.json', server), {
      headers: { accept: 'application/json' },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
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
    };
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
