import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatehouseError } from '../core/errors.ts';
import { errorDocs } from './error-docs.ts';
import { statusForCode } from './error-status.ts';
import { writeRawResponse } from './raw-response.ts';

/** The JSON body of every error answer: `{error, message, field?, docs}`. */
export interface ErrorDocument {
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  /** Where the code is explained, in the package's reference: `docs/reference/errors.md#route_not_found`. */
  readonly docs: string;
}

/** An error as status, headers and JSON document; anything not raised on purpose is a bare 500. */
export function errorAnswer(error: unknown): {
  status: number;
  headers: Record<string, string>;
  document: ErrorDocument;
} {
  if (!(error instanceof GatehouseError))
    return {
      status: 500,
      headers: {},
      document: { error: 'INTERNAL', message: 'internal error', docs: errorDocs('INTERNAL') },
    };
  const status = statusForCode(error.code);
  return {
    status,
    // Every 401 here is for a missing or wrong bearer credential (RFC 6750); some name their challenge.
    headers: error.challenge
      ? { 'www-authenticate': error.challenge }
      : status === 401
        ? { 'www-authenticate': 'Bearer' }
        : {},
    document: {
      error: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
      docs: errorDocs(error.code),
    },
  };
}

/** Answers with the error as JSON whatever the client accepts (for JSON APIs). */
export function sendJsonError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, headers, document } = errorAnswer(error);
  const body = JSON.stringify(document);
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** Hono `onError` handler: the error as JSON. */
export function honoErrorHandler(error: unknown, c: Context): Response {
  const { status, headers, document } = errorAnswer(error);
  return c.json(document, status as ContentfulStatusCode, headers);
}

/** The error code each upgrade answered on its raw socket carried, for the request log. */
const rawErrorCodes = new WeakMap<Duplex, string>();

/** The code of the error Gatehouse answered an upgrade's socket with; undefined when none. */
export function rawErrorCodeOf(socket: Duplex): string | undefined {
  return rawErrorCodes.get(socket);
}

/** Writes the error as a JSON response onto a socket the HTTP server handed over (upgrades), and closes it. */
export function writeRawError(socket: Duplex, error: unknown): number {
  const { status, headers, document } = errorAnswer(error);
  rawErrorCodes.set(socket, document.error);
  writeRawResponse(
    socket,
    status,
    [['content-type', 'application/json'], ...Object.entries(headers)],
    JSON.stringify(document),
  );
  return status;
}
