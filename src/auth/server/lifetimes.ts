/** How long what the authorization server issues lives; `auth:` in the config file. */
export interface Lifetimes {
  /** JWT access tokens (and ID tokens). The seed's 30 minutes by default. */
  readonly accessTokenMinutes: number;
  /** Refresh tokens, and the grant behind them: a login lasts this long at most. */
  readonly refreshTokenDays: number;
  /** The browser's session at the authorization server, so a second client needs no new login. */
  readonly sessionDays: number;
  /** A device code waiting for its user. */
  readonly deviceCodeMinutes: number;
}

/** The lifetimes used when the config names none. */
export const DEFAULT_LIFETIMES: Lifetimes = {
  accessTokenMinutes: 30,
  refreshTokenDays: 365,
  sessionDays: 14,
  deviceCodeMinutes: 10,
};

/** Identity assertions for upstreams are short-lived: each request gets a fresh one. */
export const ASSERTION_SECONDS = 60;

/** How long a retired signing key stays in the JWKS: past the life of anything it signed. */
export function keepRetiredKeyMs(lifetimes: Lifetimes): number {
  return (lifetimes.accessTokenMinutes * 60 + ASSERTION_SECONDS + 5 * 60) * 1000;
}
