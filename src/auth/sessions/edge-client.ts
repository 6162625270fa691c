/** Tokens a protected host holds for a browser's session: for its own resource, from Gatehouse's authorization server. */
export interface EdgeTokens {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  /** When the access token expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** The account the tokens were issued for (`sub`). */
  readonly accountId: string;
}

/**
 * A protected host as an OAuth client of Gatehouse's own authorization server: authorization code
 * with PKCE S256, the host's resource indicator, refresh with rotation. Refusals (an allowlist
 * that leaves the person out, a revoked grant) reject with a message for the person.
 */
export interface EdgeTokenClient {
  /** Where to send the browser to log in for `resource`, coming back to `redirectUri`. */
  authorizationUrl(request: {
    readonly host: string;
    readonly redirectUri: string;
    readonly state: string;
    readonly codeChallenge: string;
    readonly resource: string;
    /** Every scope the resource may give; the token carries those the person is given. */
    readonly scopes: readonly string[];
  }): Promise<URL>;
  /** Trades the code the browser came back with (its `iss` checked, RFC 9207) for tokens. */
  exchange(request: {
    readonly host: string;
    readonly callbackUrl: URL;
    readonly redirectUri: string;
    readonly state: string;
    readonly codeVerifier: string;
    readonly resource: string;
  }): Promise<EdgeTokens>;
  /** New tokens for the session; the refresh token rotates. */
  refresh(request: {
    readonly host: string;
    readonly refreshToken: string;
    readonly resource: string;
  }): Promise<EdgeTokens>;
}
