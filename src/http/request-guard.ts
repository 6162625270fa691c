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
 * absolute-form target whose authority disagrees with Host or carries credentials, targets that
 * are not paths, and transfer codings other than chunked.
 */
export function checkRequest(req: IncomingMessage): CheckedRequest | EdgeError {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  if (hosts === 0) return new EdgeError('BAD_REQUEST', 'The request has no Host header.');
  if (hosts > 1) return new EdgeError('BAD_REQUEST', 'The request has more than one Host header.');
  const rawHost = req.headers.host ?? '';
  if (!/^[A-Za-z0-9.\-_~:[\]]+$/.test(rawHost))
    return new EdgeError('BAD_REQUEST', 'The Host header is not a valid host.');

  const coding = unsupportedTransferCoding(req);
  if (coding !== undefined)
    return new EdgeError(
      'TRANSFER_CODING_UNSUPPORTED',
      `The request body is sent with the ${coding} transfer coding, which Gatehouse does not decode: send it with Transfer-Encoding: chunked alone, or with Content-Length.`,
    );

  const url = req.url ?? '';
  let target: RequestTarget | undefined;
  if (url.startsWith('/')) {
    target = parseRequestTarget(url);
  } else if (/^https?:\/\//i.test(url) && URL.canParse(url)) {
    // absolute-form: allowed, but its authority must be the Host header (RFC 9112 section 3.2.2).
    const absolute = new URL(url);
    // RFC 9110 section 4.2.4: userinfo is deprecated in http(s) URIs; a target carrying a password
    // also puts it in every log of the path.
    if (hasUserinfo(url))
      return new EdgeError(
        'BAD_REQUEST',
        'The request target carries a user name or password (user:pass@host): send credentials in the Authorization header, never in the URL.',
      );
    if (normalizeHost(absolute.host) !== normalizeHost(rawHost)) {
      return new EdgeError('BAD_REQUEST', 'The request target names a different host than the Host header.');
    }
    target = parseRequestTarget(absolute.pathname + absolute.search);
  }
  if (!target) return new EdgeError('BAD_REQUEST', 'The request target must be a path such as /index.html.');
  return { rawHost, host: normalizeHost(rawHost), target };
}

/**
 * The first transfer coding of the request other than `chunked`, or undefined. llhttp accepts any
 * list ending in chunked (`gzip, chunked`, `identity, chunked`) and only removes the chunking, so
 * the body would be forwarded still gzip-coded with nothing saying so; and a front proxy reading
 * such a list differently is how request smuggling starts. RFC 9112 section 6.1 answers 501.
 */
function unsupportedTransferCoding(req: IncomingMessage): string | undefined {
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== 'transfer-encoding') continue;
    for (const part of req.rawHeaders[i + 1]!.split(',')) {
      const coding = part.trim().toLowerCase();
      if (coding !== '' && coding !== 'chunked') return coding.split(';')[0]!.trim().slice(0, 40);
    }
  }
  return undefined;
}

/** True when an absolute-form target's authority has a userinfo part (`user:pass@`), even an empty one. */
function hasUserinfo(url: string): boolean {
  const afterScheme = url.slice(url.indexOf('//') + 2);
  const end = afterScheme.search(/[/?#\\]/);
  return (end === -1 ? afterScheme : afterScheme.slice(0, end)).includes('@');
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
