import { ApiError } from './api.ts';

/** What the pages built on request records say when the server has no records API. */
export const NOT_RECORDED = 'Request recording is not available on this server.';

/** True when the error is the 404 of a server without the records API. */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
