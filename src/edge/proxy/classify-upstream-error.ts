import { EdgeError } from '../../http/edge-error.ts';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'ETIMEDOUT',
  'UPSTREAM_TIMEOUT',
]);

/** Collects `code` from an error and its causes, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** True when the error means the client went away, so there is no one to answer. */
export function isClientAbort(error: unknown): boolean {
  return (
    (error instanceof Error && error.name === 'AbortError') ||
    codesOf(error).some((c) => c === 'UND_ERR_ABORTED' || c === 'ERR_STREAM_PREMATURE_CLOSE')
  );
}

/**
 * Turns a failure to reach the upstream into what the client is told. The message names what
 * happened but not the upstream's address, which is nobody's business at the public edge.
 */
export function classifyUpstreamError(
  error: unknown,
  timeouts: { connectMs: number; responseMs: number },
): EdgeError {
  const codes = codesOf(error);
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) {
    return new EdgeError(
      'UPSTREAM_TIMEOUT',
      `The upstream did not accept a connection within ${timeouts.connectMs} ms.`,
      {
        cause: error,
      },
    );
  }
  if (codes.some((c) => TIMEOUT_CODES.has(c))) {
    return new EdgeError(
      'UPSTREAM_TIMEOUT',
      `The upstream did not respond within ${timeouts.responseMs} ms.`,
      {
        cause: error,
      },
    );
  }
  if (codes.includes('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH')) {
    return new EdgeError('BAD_REQUEST', 'The request body did not match its Content-Length.', {
      cause: error,
    });
  }
  const reason = codes.includes('ECONNREFUSED')
    ? 'refused the connection'
    : codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')
      ? 'could not be resolved'
      : 'closed the connection before answering';
  return new EdgeError('UPSTREAM_UNREACHABLE', `The upstream ${reason}.`, { cause: error });
}
