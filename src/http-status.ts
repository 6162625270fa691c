/**
 * Every error code Gatehouse answers with, mapped once to its HTTP status. Codes not listed are
 * internal errors (500).
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // edge
  BAD_REQUEST: 400,
  MISDIRECTED_REQUEST: 421,
  HEADERS_TOO_LARGE: 431,
  ROUTE_NOT_FOUND: 404,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  // admin API
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  LAST_ADMIN_KEY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // tunnels
  TUNNEL_NOT_FOUND: 404,
  TUNNEL_NOT_CONNECTED: 503,
  TUNNEL_NAME_TAKEN: 409,
  TUNNEL_NAME_INVALID: 400,
  TUNNEL_KEY_INVALID: 401,
  TUNNEL_LIMIT_REACHED: 429,
  TUNNEL_BODY_TOO_LARGE: 413,
  TUNNEL_STREAM_FAILED: 502,
  // store
  STORE_CONFLICT: 409,
  STORE_UNAVAILABLE: 503,
};

/** The HTTP status for an error code. */
export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}
