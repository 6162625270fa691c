import { ApiError } from './api.ts';

/** What the pages built on request records say when the server has no records API. */
export const NOT_RECORDED = 'Request recording is not available on this server.';

/** True when the server has no records API (404) or keeps no records (`--request-log off`). */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.code === 'REQUEST_LOG_OFF');
}
