import { GatehouseError } from '../errors.ts';

/** Codes of {@link EdgeError}. */
export type EdgeErrorCode =
  | 'BAD_REQUEST'
  | 'MISDIRECTED_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT';

/** Why the edge answered a request itself instead of forwarding it. */
export class EdgeError extends GatehouseError {
  readonly code: EdgeErrorCode;
  constructor(code: EdgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
