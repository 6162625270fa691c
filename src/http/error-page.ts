import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { GatehouseError } from '../core/errors.ts';
import { errorAnswer } from './error-response.ts';
import { messagePage, PAGE_CSP } from './html-page.ts';

/** Page titles by code, where the status's own name would not say what happened. */
const CODE_TITLES: Readonly<Partial<Record<string, string>>> = {
  ROUTE_NOT_FOUND: 'No route for this address',
  TUNNEL_NOT_CONNECTED: 'Tunnel offline',
  TUNNEL_NOT_FOUND: 'No such tunnel',
  UPSTREAM_UNREACHABLE: 'Upstream unreachable',
  UPSTREAM_TIMEOUT: 'Upstream timed out',
  AUTH_ACCESS_DENIED: 'Not allowed',
  SESSION_ACCESS_DENIED: 'Not allowed',
  SESSION_LOGIN_INVALID: 'This login cannot be finished',
  RATE_LIMITED: 'Too many requests',
};

/** The error code each response answered by Gatehouse itself carried, for the request log. */
const answeredCodes = new WeakMap<ServerResponse, string>();

/** The code of the error Gatehouse answered `res` with; undefined when something else answered. */
export function errorCodeOf(res: ServerResponse): string | undefined {
  return answeredCodes.get(res);
}

/** The title of an error page: what happened, in the same words for every page of that kind. */
export function errorTitle(status: number, code: string): string {
  return CODE_TITLES[code] ?? STATUS_CODES[status] ?? 'Error';
}

/**
 * Answers with the error: JSON `{error, message}` for clients that ask for JSON, a small HTML page
 * otherwise. Does nothing when the response has started (the caller then destroys the socket).
 */
export function sendEdgeError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const { status, headers, document } = errorAnswer(error);
  answeredCodes.set(res, document.error);
  const wantsJson =
    /\bjson\b/i.test(req.headers.accept ?? '') && !/text\/html/i.test(req.headers.accept ?? '');
  const next = error instanceof GatehouseError ? error.next : undefined;
  const body = wantsJson
    ? JSON.stringify(document)
    : messagePage(
        errorTitle(status, document.error),
        document.message,
        next,
        `${status} · ${document.error}`,
      );
  // The reason phrase is named: one left from a writeHead that failed must not stay.
  res.writeHead(status, STATUS_CODES[status] ?? 'Error', {
    ...headers,
    'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(wantsJson ? {} : { 'content-security-policy': PAGE_CSP }),
    // A body the client is still sending will not be read: close instead of draining it.
    ...(req.complete ? {} : { connection: 'close' }),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
