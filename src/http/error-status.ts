import type { ErrorCode } from '../core/errors.ts';

/**
 * Every error code mapped once to its HTTP status. `satisfies` makes the compiler refuse a code
 * without a status, so a new code cannot fall through to a default.
 */
const STATUS_BY_CODE = {
  // edge
  BAD_REQUEST: 400,
  MISDIRECTED_REQUEST: 421,
  HEADERS_TOO_LARGE: 431,
  // RFC 9112 section 6.1: a transfer coding the server does not understand
  TRANSFER_CODING_UNSUPPORTED: 501,
  ROUTE_NOT_FOUND: 404,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  INTERNAL: 500,
  // never sent (no one is left to read it): nginx's "client closed request", for logs and metrics
  CLIENT_CLOSED: 499,
  // admin API
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_SCOPE: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  LAST_ADMIN_KEY: 409,
  ADMIN_KEY_FROM_ENVIRONMENT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_LOG_OFF: 409,
  ADMIN_APP_NOT_BUILT: 503,
  BODY_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  // automatic certificates
  CERT_ORDER_FAILED: 502,
  CERT_CA_UNREACHABLE: 503,
  CERT_NOT_FOUND: 404,
  CERT_NAME_NOT_SERVED: 421,
  CERT_ON_DEMAND_LIMITED: 429,
  CERT_ACME_OFF: 409,
  // tunnels
  TUNNEL_NOT_FOUND: 404,
  TUNNEL_NOT_CONNECTED: 503,
  TUNNEL_NAME_TAKEN: 409,
  TUNNEL_NAME_INVALID: 400,
  TUNNEL_KEY_INVALID: 401,
  TUNNEL_LIMIT_REACHED: 429,
  TUNNEL_BODY_TOO_LARGE: 413,
  TUNNEL_STREAM_FAILED: 502,
  TUNNEL_UPGRADE_INVALID: 400,
  TUNNEL_PASSTHROUGH_UNAVAILABLE: 501,
  // the agent's side: the server turned its connection down (the server's own status is on the error)
  TUNNEL_DIAL_REFUSED: 502,
  // relay
  RELAY_DISABLED: 404,
  RELAY_BODY_INVALID: 400,
  RELAY_BODY_TOO_LARGE: 413,
  RELAY_SIGNATURE_INVALID: 403,
  RELAY_TIMESTAMP_STALE: 403,
  RELAY_SIGNATURE_REPLAYED: 403,
  RELAY_TARGET_REFUSED: 400,
  RELAY_TARGET_UNREACHABLE: 502,
  // the target answered more than the relay keeps: a cut answer passed on would be worse than none
  RELAY_ANSWER_TOO_LARGE: 502,
  RELAY_NOT_REGISTERED: 404,
  RELAY_DELIVERY_NOT_FOUND: 404,
  RELAY_REPLAY_IMPOSSIBLE: 409,
  // tunnel agent's inspector
  INSPECTOR_HOST_REFUSED: 421,
  INSPECTOR_ORIGIN_REFUSED: 403,
  INSPECTOR_TOKEN_REQUIRED: 401,
  INSPECTOR_TOKEN_INVALID: 401,
  BODY_NOT_CAPTURED: 409,
  // store: a schema from a newer release means this node cannot serve until it is upgraded
  STORE_CONFLICT: 409,
  STORE_UNAVAILABLE: 503,
  STORE_SCHEMA_TOO_NEW: 503,
  // configuration errors stop the start; should one reach a client, it is the server's fault
  CONFIG_INVALID: 500,
  // Tesla Fleet kit
  FLEET_KEY_INVALID: 400,
  FLEET_KEY_MISSING: 500,
  FLEET_KEY_EXISTS: 409,
  FLEET_SIGNATURE_INVALID: 400,
  FLEET_SETTINGS_INVALID: 500,
  // refusals before anything is sent to Tesla: the input, the domain's key or the server's chain
  FLEET_USAGE: 400,
  FLEET_CONFIG_INVALID: 400,
  FLEET_CA_CHAIN_INVALID: 422,
  FLEET_HOSTED_KEY_INVALID: 422,
  FLEET_KEY_MISMATCH: 409,
  // Tesla user login (fleet-login routes): a missing key is the server's, the rest the browser's
  FLEET_SECRET_KEY_MISSING: 503,
  FLEET_LOGIN_STATE_INVALID: 400,
  FLEET_LOGIN_DECLINED: 403,
  FLEET_LOGIN_FAILED: 400,
  FLEET_SESSION_MISSING: 401,
  FLEET_CSRF_INVALID: 403,
  FLEET_REFRESH_BUSY: 503,
  // telemetry state on the admin API: no vehicle with that VIN has streamed here
  FLEET_VEHICLE_UNKNOWN: 404,
  FLEET_VEHICLE_NOT_YOURS: 403,
  // a telemetry sink's broker did not confirm a record in time: the vehicle resends it later
  FLEET_SINK_UNAVAILABLE: 503,
  // the live dashboard: no token configured or no page built is the server's, a bad token the client's
  FLEET_DASHBOARD_TOKEN_UNSET: 503,
  FLEET_DASHBOARD_TOKEN_INVALID: 401,
  FLEET_DASHBOARD_NOT_BUILT: 503,
  FLEET_DASHBOARD_UPGRADE_REQUIRED: 426,
  // Tesla's answers, as Gatehouse passes them on: the user's session or Tesla is the problem
  FLEET_TOKEN_EXPIRED: 401,
  FLEET_LOGIN_REQUIRED: 401,
  FLEET_MISSING_SCOPES: 403,
  FLEET_VEHICLE_OFFLINE: 503,
  FLEET_WRONG_REGION: 421,
  FLEET_PARTNER_UNREGISTERED: 412,
  FLEET_RATE_LIMITED: 429,
  FLEET_NOT_FOUND: 404,
  FLEET_CLIENT_REJECTED: 502,
  FLEET_REQUEST_REJECTED: 502,
  FLEET_UNAVAILABLE: 502,
  // the simulator of Tesla's cloud answers with Tesla's statuses
  SIM_SEED_INVALID: 400,
  SIM_DATA_INVALID: 500,
  SIM_OPTION_INVALID: 400,
  SIM_OAUTH_REQUEST_INVALID: 400,
  SIM_OAUTH_CLIENT_UNAUTHORIZED: 401,
  SIM_OAUTH_LOGIN_REQUIRED: 401,
  SIM_BAD_REQUEST: 400,
  SIM_TOKEN_INVALID: 401,
  SIM_FORBIDDEN: 403,
  SIM_NOT_FOUND: 404,
  SIM_NOT_ACCEPTABLE: 406,
  SIM_VEHICLE_UNAVAILABLE: 408,
  SIM_NOT_REGISTERED: 412,
  SIM_PROXY_REQUIRED: 412,
  SIM_OUT_OF_REGION: 421,
  SIM_UNPROCESSABLE: 422,
  SIM_RATE_LIMITED: 429,
  // telemetry wire format: what a vehicle (or a caller of the encoders) sent cannot be read
  TELEMETRY_MESSAGE_TOO_LARGE: 413,
  TELEMETRY_ENVELOPE_INVALID: 400,
  TELEMETRY_MESSAGE_TYPE_UNSUPPORTED: 400,
  TELEMETRY_PAYLOAD_INVALID: 400,
  TELEMETRY_TOPIC_UNKNOWN: 400,
  TELEMETRY_VALUE_INVALID: 400,
  // browser sessions: a stale or foreign login link is the client's; a form from another site is refused
  SESSION_REQUIRED: 401,
  SESSION_LOGIN_INVALID: 400,
  SESSION_ACCESS_DENIED: 403,
  SESSION_CSRF_INVALID: 403,
  // upstream login: a bad callback is the browser's (log in again), a refused app the operator's (502)
  LOGIN_STATE_INVALID: 400,
  LOGIN_DECLINED: 403,
  LOGIN_CODE_INVALID: 400,
  LOGIN_CLIENT_REJECTED: 502,
  LOGIN_REDIRECT_MISMATCH: 502,
  LOGIN_SCOPE_MISSING: 403,
  LOGIN_REVOKED: 401,
  LOGIN_RATE_LIMITED: 429,
  LOGIN_PROVIDER_UNREACHABLE: 502,
  LOGIN_PROVIDER_TIMEOUT: 504,
  LOGIN_PROVIDER_INVALID_ANSWER: 502,
  // a login through the authorization server did not complete
  LOGIN_FAILED: 502,
  // the command line's saved login was refused or ran out: only `gatehouse login` helps
  LOGIN_ENDED: 401,
  // per-route auth: 401 asks for a (new) token, 403 for more scope or another person
  AUTH_TOKEN_MISSING: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_SCOPE_INSUFFICIENT: 403,
  AUTH_ACCESS_DENIED: 403,
  AUTH_UNAVAILABLE: 503,
  AUTH_SECRET_KEY_MISSING: 503,
  // the stand-in issuer's command line: never an HTTP answer, a mistake in what it was given
  DEV_IDP_PEOPLE_INVALID: 400,
  DEV_IDP_OPTION_INVALID: 400,
  DEV_IDP_NOT_LOOPBACK: 400,
  // MCP: a foreign page is refused whoever it is; a denied tool is the caller's policy
  MCP_ORIGIN_REFUSED: 403,
  MCP_TOOL_DENIED: 403,
  MCP_HEADER_MISMATCH: 400,
  MCP_INVALID_MESSAGE: 400,
} as const satisfies Record<ErrorCode, number>;

/** Every error code, in the order of the table above. */
export const ERROR_CODES = Object.keys(STATUS_BY_CODE) as readonly ErrorCode[];

/** The HTTP status for an error code. */
export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}
