/** Codes the edge answers with when it does not forward a request. */
export const EDGE_ERROR_CODES = [
  /** The request is malformed: a missing, repeated or bad Host header, or a body unlike its Content-Length. */
  'BAD_REQUEST',
  'MISDIRECTED_REQUEST',
  /** The request head is larger than `--max-header-size` allows. */
  'HEADERS_TOO_LARGE',
  /** The request body has a transfer coding other than chunked (gzip, identity…), which Gatehouse does not decode. */
  'TRANSFER_CODING_UNSUPPORTED',
  /** No route serves this host and path: add one through the admin API, or check the Host header. */
  'ROUTE_NOT_FOUND',
  /** The route's upstream refused the connection, could not be resolved or reset it. */
  'UPSTREAM_UNREACHABLE',
  /** The route's upstream did not connect or answer within the route's timeouts. */
  'UPSTREAM_TIMEOUT',
  /** The request body is larger than the limit of what receives it. */
  'BODY_TOO_LARGE',
  /** The client closed the connection before the answer was complete. */
  'CLIENT_CLOSED',
  /** Too many logins, authorization requests or client registrations from one address, or on the node: wait as Retry-After says. */
  'RATE_LIMITED',
  /** Gatehouse failed to answer; the log has the cause. */
  'INTERNAL',
] as const;
/** One of {@link EDGE_ERROR_CODES}. */
export type EdgeErrorCode = (typeof EDGE_ERROR_CODES)[number];

/** Codes of the admin API. */
export const ADMIN_ERROR_CODES = [
  /** The request body is not valid JSON. */
  'INVALID_JSON',
  /** The body is JSON but breaks a rule of the schema; `field` names the first field that does. */
  'VALIDATION_FAILED',
  /** No API key or token was sent, or the one sent is unknown, revoked or expired. */
  'UNAUTHORIZED',
  /** The token is valid but lacks the scope this call needs (admin, for most of the admin API). */
  'INSUFFICIENT_SCOPE',
  /** No such endpoint, or no object with that id. */
  'NOT_FOUND',
  /** The path exists but not for this method. */
  'METHOD_NOT_ALLOWED',
  /** Revoking this key would leave no active admin key: create another first. */
  'LAST_ADMIN_KEY',
  /** The key is GATEHOUSE_ADMIN_KEY: it stops working when the variable is unset and Gatehouse restarts. */
  'ADMIN_KEY_FROM_ENVIRONMENT',
  /** The admin API request body is larger than it accepts. */
  'PAYLOAD_TOO_LARGE',
  /** The body must be JSON, sent with Content-Type: application/json. */
  'UNSUPPORTED_MEDIA_TYPE',
  /** The request log is off (--request-log off): there are no request records to read or follow. */
  'REQUEST_LOG_OFF',
  /** The admin web app at /ui is not built into the package: run npm run build. */
  'ADMIN_APP_NOT_BUILT',
] as const;
/** One of {@link ADMIN_ERROR_CODES}. */
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number];

/** Codes of tunnels: identities, agent connections and forwarding. */
export const TUNNEL_ERROR_CODES = [
  'TUNNEL_NOT_FOUND',
  'TUNNEL_NOT_CONNECTED',
  'TUNNEL_NAME_TAKEN',
  'TUNNEL_NAME_INVALID',
  'TUNNEL_KEY_INVALID',
  'TUNNEL_LIMIT_REACHED',
  'TUNNEL_BODY_TOO_LARGE',
  'TUNNEL_STREAM_FAILED',
  'TUNNEL_UPGRADE_INVALID',
  'TUNNEL_PASSTHROUGH_UNAVAILABLE',
  'TUNNEL_DIAL_REFUSED',
] as const;
/** One of {@link TUNNEL_ERROR_CODES}. */
export type TunnelErrorCode = (typeof TUNNEL_ERROR_CODES)[number];

/** Codes of the callback and webhook relay. */
export const RELAY_ERROR_CODES = [
  'RELAY_DISABLED',
  'RELAY_BODY_INVALID',
  'RELAY_BODY_TOO_LARGE',
  'RELAY_SIGNATURE_INVALID',
  'RELAY_TIMESTAMP_STALE',
  'RELAY_SIGNATURE_REPLAYED',
  'RELAY_TARGET_REFUSED',
  'RELAY_TARGET_UNREACHABLE',
  'RELAY_ANSWER_TOO_LARGE',
  'RELAY_NOT_REGISTERED',
  'RELAY_DELIVERY_NOT_FOUND',
  'RELAY_REPLAY_IMPOSSIBLE',
] as const;
/** One of {@link RELAY_ERROR_CODES}. */
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

/** Codes of the tunnel agent's inspector. */
export const INSPECTOR_ERROR_CODES = [
  'INSPECTOR_HOST_REFUSED',
  'INSPECTOR_ORIGIN_REFUSED',
  'INSPECTOR_TOKEN_REQUIRED',
  'INSPECTOR_TOKEN_INVALID',
  'NOT_FOUND',
  'BAD_REQUEST',
  'BODY_NOT_CAPTURED',
] as const;
/** One of {@link INSPECTOR_ERROR_CODES}. */
export type InspectorErrorCode = (typeof INSPECTOR_ERROR_CODES)[number];

/** Codes of the store. */
export const STORE_ERROR_CODES = ['STORE_CONFLICT', 'STORE_UNAVAILABLE', 'STORE_SCHEMA_TOO_NEW'] as const;
/** One of {@link STORE_ERROR_CODES}. */
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** Codes of the configuration. */
export const CONFIG_ERROR_CODES = ['CONFIG_INVALID'] as const;
/** One of {@link CONFIG_ERROR_CODES}. */
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** Tesla's answers mapped to what to do: each code has its own advice (`src/fleet/api/tesla-error.ts`). */
export const TESLA_ERROR_CODES = [
  'FLEET_TOKEN_EXPIRED',
  'FLEET_LOGIN_REQUIRED',
  'FLEET_MISSING_SCOPES',
  'FLEET_VEHICLE_OFFLINE',
  'FLEET_WRONG_REGION',
  'FLEET_PARTNER_UNREGISTERED',
  'FLEET_RATE_LIMITED',
  'FLEET_NOT_FOUND',
  'FLEET_CLIENT_REJECTED',
  'FLEET_REQUEST_REJECTED',
  'FLEET_UNAVAILABLE',
] as const;
/** One of {@link TESLA_ERROR_CODES}. */
export type TeslaErrorCode = (typeof TESLA_ERROR_CODES)[number];

/** Codes the simulated Fleet API answers with, each with Tesla's status. */
export const SIMULATOR_API_ERROR_CODES = [
  'SIM_BAD_REQUEST',
  'SIM_TOKEN_INVALID',
  'SIM_FORBIDDEN',
  'SIM_NOT_FOUND',
  'SIM_NOT_ACCEPTABLE',
  'SIM_VEHICLE_UNAVAILABLE',
  'SIM_NOT_REGISTERED',
  'SIM_PROXY_REQUIRED',
  'SIM_OUT_OF_REGION',
  'SIM_UNPROCESSABLE',
  'SIM_RATE_LIMITED',
] as const;
/** One of {@link SIMULATOR_API_ERROR_CODES}. */
export type SimulatorApiErrorCode = (typeof SIMULATOR_API_ERROR_CODES)[number];

/** Codes of the Tesla Fleet kit: keys, signing, Tesla's API and the simulator. */
export const FLEET_ERROR_CODES = [
  'FLEET_KEY_INVALID',
  'FLEET_KEY_MISSING',
  'FLEET_KEY_EXISTS',
  'FLEET_SIGNATURE_INVALID',
  'FLEET_SETTINGS_INVALID',
  ...TESLA_ERROR_CODES,
  'FLEET_USAGE',
  'FLEET_CONFIG_INVALID',
  'FLEET_CA_CHAIN_INVALID',
  'FLEET_HOSTED_KEY_INVALID',
  'FLEET_KEY_MISMATCH',
  'FLEET_SECRET_KEY_MISSING',
  'FLEET_LOGIN_STATE_INVALID',
  'FLEET_LOGIN_DECLINED',
  'FLEET_LOGIN_FAILED',
  'FLEET_SESSION_MISSING',
  'FLEET_CSRF_INVALID',
  'FLEET_REFRESH_BUSY',
  'FLEET_VEHICLE_UNKNOWN',
  'FLEET_VEHICLE_NOT_YOURS',
  'FLEET_SINK_UNAVAILABLE',
  'FLEET_DASHBOARD_TOKEN_UNSET',
  'FLEET_DASHBOARD_TOKEN_INVALID',
  'FLEET_DASHBOARD_NOT_BUILT',
  'FLEET_DASHBOARD_UPGRADE_REQUIRED',
  'SIM_SEED_INVALID',
  'SIM_DATA_INVALID',
  'SIM_OPTION_INVALID',
  'SIM_OAUTH_REQUEST_INVALID',
  'SIM_OAUTH_CLIENT_UNAUTHORIZED',
  'SIM_OAUTH_LOGIN_REQUIRED',
  ...SIMULATOR_API_ERROR_CODES,
] as const;
/** One of {@link FLEET_ERROR_CODES}. */
export type FleetErrorCode = (typeof FLEET_ERROR_CODES)[number];

/** Codes of the telemetry wire format: envelopes, payloads and records that cannot be read or written. */
export const TELEMETRY_ERROR_CODES = [
  'TELEMETRY_MESSAGE_TOO_LARGE',
  'TELEMETRY_ENVELOPE_INVALID',
  'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED',
  'TELEMETRY_PAYLOAD_INVALID',
  'TELEMETRY_TOPIC_UNKNOWN',
  'TELEMETRY_VALUE_INVALID',
] as const;
/** One of {@link TELEMETRY_ERROR_CODES}. */
export type TelemetryErrorCode = (typeof TELEMETRY_ERROR_CODES)[number];

/** Codes of browser sessions on protected hosts: a login link that cannot be used, a forged form. */
export const SESSION_ERROR_CODES = [
  'SESSION_REQUIRED',
  'SESSION_LOGIN_INVALID',
  'SESSION_ACCESS_DENIED',
  'SESSION_CSRF_INVALID',
] as const;
/** One of {@link SESSION_ERROR_CODES}. */
export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[number];

/**
 * Codes of logging in: upstream login (GitHub, GitLab, OIDC), each saying whether the browser or
 * the operator acts, and the command line's saved login to a Gatehouse (`LOGIN_ENDED`).
 */
export const LOGIN_ERROR_CODES = [
  'LOGIN_STATE_INVALID',
  'LOGIN_DECLINED',
  'LOGIN_CODE_INVALID',
  'LOGIN_CLIENT_REJECTED',
  'LOGIN_REDIRECT_MISMATCH',
  'LOGIN_SCOPE_MISSING',
  'LOGIN_REVOKED',
  'LOGIN_RATE_LIMITED',
  'LOGIN_PROVIDER_UNREACHABLE',
  'LOGIN_PROVIDER_TIMEOUT',
  'LOGIN_PROVIDER_INVALID_ANSWER',
  'LOGIN_FAILED',
  'LOGIN_ENDED',
] as const;
/** One of {@link LOGIN_ERROR_CODES}. */
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

/** Codes of per-route auth: bearer tokens, policies and route secrets (`src/auth/route/`). */
export const ROUTE_AUTH_ERROR_CODES = [
  'AUTH_TOKEN_MISSING',
  'AUTH_TOKEN_INVALID',
  'AUTH_SCOPE_INSUFFICIENT',
  'AUTH_ACCESS_DENIED',
  'AUTH_UNAVAILABLE',
  'AUTH_SECRET_KEY_MISSING',
] as const;
/** One of {@link ROUTE_AUTH_ERROR_CODES}. */
export type RouteAuthErrorCode = (typeof ROUTE_AUTH_ERROR_CODES)[number];

/** Codes of `gatehouse dev-idp`, the stand-in OpenID Connect issuer for trying logins locally. */
export const DEV_IDP_ERROR_CODES = [
  /** The `--people` file cannot be read, or breaks a rule of its shape (the message names the entry and field). */
  'DEV_IDP_PEOPLE_INVALID',
  /** An option of `gatehouse dev-idp` has a value it cannot use, or its port is taken. */
  'DEV_IDP_OPTION_INVALID',
  /** Asked to listen beyond loopback without `--allow-remote`: anyone who reached it could log in as anyone. */
  'DEV_IDP_NOT_LOOPBACK',
] as const;
/** One of {@link DEV_IDP_ERROR_CODES}. */
export type DevIdpErrorCode = (typeof DEV_IDP_ERROR_CODES)[number];

/** Codes of automatic certificates (ACME): orders, challenges, renewals, on-demand issuance. */
export const CERT_ERROR_CODES = [
  /** The CA refused or failed the order (a challenge it could not validate, a rate limit…): its problem document says why. */
  'CERT_ORDER_FAILED',
  /** The ACME directory did not answer: check --acme-directory and this server's way out to it. */
  'CERT_CA_UNREACHABLE',
  /** No certificate with that id: list them with GET /api/v1/certificates/. */
  'CERT_NOT_FOUND',
  /** No route serves this name, so on-demand issuance refuses it. */
  'CERT_NAME_NOT_SERVED',
  /** On-demand issuance is past its rate: the next name is certified once the window moves on. */
  'CERT_ON_DEMAND_LIMITED',
  /** Automatic certificates are off: set --acme-email or --acme-directory to turn them on. */
  'CERT_ACME_OFF',
] as const;
/** One of {@link CERT_ERROR_CODES}. */
export type CertErrorCode = (typeof CERT_ERROR_CODES)[number];
/** Codes of MCP: Gatehouse's own MCP server at `/mcp` and the `mcp` route kind. */
export const MCP_ERROR_CODES = [
  /** A browser page of another origin sent the request: only the server's own origin may (DNS rebinding). */
  'MCP_ORIGIN_REFUSED',
  /** The caller's policy on this MCP route does not allow this tool, prompt or resource. */
  'MCP_TOOL_DENIED',
  /** The `Mcp-Method` or `Mcp-Name` header says something other than the JSON-RPC body (JSON-RPC -32020). */
  'MCP_HEADER_MISMATCH',
  /** The body is not a JSON-RPC message this endpoint can read. */
  'MCP_INVALID_MESSAGE',
] as const;
/** One of {@link MCP_ERROR_CODES}. */
export type McpErrorCode = (typeof MCP_ERROR_CODES)[number];

/** Every code a {@link GatehouseError} can carry; `src/http/error-status.ts` maps each to a status. */
export type ErrorCode =
  | EdgeErrorCode
  | AdminErrorCode
  | TunnelErrorCode
  | RelayErrorCode
  | InspectorErrorCode
  | StoreErrorCode
  | ConfigErrorCode
  | FleetErrorCode
  | TelemetryErrorCode
  | SessionErrorCode
  | LoginErrorCode
  | RouteAuthErrorCode
  | DevIdpErrorCode
  | CertErrorCode
  | McpErrorCode;

/** Options every {@link GatehouseError} takes. */
export interface GatehouseErrorOptions {
  /** The request field or config key that was wrong. */
  readonly field?: string | undefined;
  readonly cause?: unknown;
  /** The `WWW-Authenticate` challenge the answer carries (a 401 without one says `Bearer`). */
  readonly challenge?: string | undefined;
  /** Where a person reading the error page can go next (a page or command to run is in the message). */
  readonly next?: { readonly href: string; readonly label: string } | undefined;
}

/** Base of every error Gatehouse raises on purpose: a stable string code plus a human message. */
export class GatehouseError<Code extends ErrorCode = ErrorCode> extends Error {
  /** Stable machine-readable code, e.g. `ROUTE_NOT_FOUND`. */
  readonly code: Code;
  /** The request field or config key that was wrong, when there is one. */
  readonly field: string | undefined;
  /** The `WWW-Authenticate` challenge of the answer, when it names one. */
  readonly challenge: string | undefined;
  /** Where a person reading the error page can go next, when there is somewhere. */
  readonly next: { readonly href: string; readonly label: string } | undefined;

  constructor(code: Code, message: string, options?: GatehouseErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
    this.challenge = options?.challenge;
    this.next = options?.next;
    this.name = new.target.name;
  }
}
