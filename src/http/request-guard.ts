import type { IncomingMessage } from 'node:http';
import { EdgeError } from './edge-error.ts';
import { normalizeHost, parseRequestTarget, type RequestTarget } from './request-target.ts';

/** A request that passed the edge's checks: its normalised host and target. */
export interface CheckedRequest {
  /** Host as sent, for forwarding headers. */
  readonly rawHost: string;
  /** Host lower-cased without port, for routing. */
  readonly host: string;
  readonly target: RequestTarget;
}

/**
 * Checks what the HTTP parser lets through but a proxy must not: a missing or repeated Host, an
 * absolute-form target whose authority disagrees with Host, and targets that are not paths.
 */
export function checkRequest(req: IncomingMessage): CheckedRequest | EdgeError {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  if (hosts === 0) return new EdgeError('BAD_REQUEST', 'The request has no Host header.');
  if (hosts > 1) return new EdgeError('BAD_REQUEST', 'The request has more than one Host header.');
  const rawHost = req.headers.host ?? '';
  if (!/^[A-Za-z0-9.\-_~:[\]]+$/.test(rawHost))
    return new EdgeError('BAD_REQUEST', 'The Host header is not a valid host.');

  const url = req.url ?? '';
  let target: RequestTarget | undefined;
  if (url.startsWith('/')) {
    target = parseRequestTarget(url);
  } else if (/^https?:\/\//i.test(url) && URL.canParse(url)) {
    // absolute-form: allowed, but its authority must be the Host header (RFC 9112 section 3.2.2).
    const absolute = new URL(url);
    if (normalizeHost(absolute.host) !== normalizeHost(rawHost)) {
      return new EdgeError('BAD_REQUEST', 'The request target names a different host than the Host header.');
    }
    target = parseRequestTarget(absolute.pathname + absolute.search);
  }
  if (!target) return new EdgeError('BAD_REQUEST', 'The request target must be a path such as /index.html.');
  return { rawHost, host: normalizeHost(rawHost), target };
}

/** Status and message for an error the HTTP parser raised before a request existed. */
export function parserErrorStatus(code: string | undefined): {
  status: number;
  message: string;
} {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        message: 'The request headers are too large.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return {
        status: 408,
        message: 'The request headers took too long to arrive.',
      };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return {
        status: 400,
        message: 'The request has conflicting Content-Length and Transfer-Encoding headers.',
      };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, message: 'The request has an invalid Transfer-Encoding.' };
    case 'HPE_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        message: 'The request has an invalid or repeated Content-Length.',
      };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
    case 'HPE_INVALID_CHUNK_SIZE':
      return {
        status: 400,
        message: 'The request contains a malformed header or chunk.',
      };
    default:
      return { status: 400, message: 'The request could not be parsed as HTTP/1.1.' };
  }
}
