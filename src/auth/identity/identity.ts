/**
 * A person as an upstream login provider describes them at login, and again at each refresh (so a
 * removed org membership is seen). Policies match on these fields; nothing here is a secret.
 */
export interface UpstreamIdentity {
  /** The provider's id as configured: `github`, `gitlab`, or an OIDC provider's id (default `oidc`). */
  readonly provider: string;
  /** The provider's stable id for the person (GitHub's numeric id, GitLab's id, the OIDC `sub`). */
  readonly subject: string;
  /** What policies name as `<provider>:<login>`: GitHub's login, GitLab's username, an OIDC issuer's `sub`. */
  readonly login: string;
  /** A verified email address only; unverified ones are left out. */
  readonly email?: string;
  readonly name?: string;
  /** GitHub organisations, lower-case logins. */
  readonly orgs: readonly string[];
  /** GitHub teams as `org/team-slug`, lower-case. */
  readonly teams: readonly string[];
  /** GitLab groups by full path (`acme/platform`), lower-case. */
  readonly groups: readonly string[];
  /** An OIDC provider's ID token and userinfo claims; empty for GitHub and GitLab. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The account id Gatehouse's authorization server issues tokens for: provider and stable subject. */
export function accountIdOf(identity: Pick<UpstreamIdentity, 'provider' | 'subject'>): string {
  return `${identity.provider}|${identity.subject}`;
}

/** What an upstream provider gave at login, kept sealed, to read the identity again later. */
export interface UpstreamGrant {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Milliseconds since the epoch; absent when the provider's tokens do not expire (GitHub OAuth apps). */
  readonly expiresAt?: number;
}

/** An identity with the grant that can read it again. */
export interface UpstreamLogin {
  readonly identity: UpstreamIdentity;
  readonly grant: UpstreamGrant;
}

/** The browser-side secrets of one login attempt; the caller keeps them server-side. */
export interface LoginAttempt {
  /** Where the provider sends the browser back; registered with the provider exactly. */
  readonly redirectUri: string;
  readonly state: string;
  /** PKCE verifier (S256 challenge sent); providers that ignore PKCE simply do not check it. */
  readonly codeVerifier: string;
  /** OIDC nonce; unused by plain OAuth providers. */
  readonly nonce: string;
}

/**
 * One way to log in: GitHub, GitLab or an OIDC issuer. Errors are `GatehouseError`s whose message
 * says what the operator should fix (wrong client secret, callback URL not registered…).
 */
export interface UpstreamProvider {
  /** The id policies and URLs use (`github`, `gitlab`, `oidc`…). */
  readonly id: string;
  /** Shown on the login page: "GitHub". */
  readonly label: string;
  /** The OAuth application's client ID at the provider: a saved grant works only with the app that issued it. */
  readonly clientId: string;
  /** Where to send the browser to log in. */
  authorizationUrl(attempt: LoginAttempt): Promise<URL>;
  /** Completes a login from the URL the provider redirected the browser to. */
  complete(attempt: LoginAttempt, callbackUrl: URL): Promise<UpstreamLogin>;
  /**
   * Reads the identity again with a saved grant, refreshing it first when it expires; throws
   * (code `LOGIN_REVOKED`) when the provider no longer accepts the grant.
   */
  reread(grant: UpstreamGrant): Promise<UpstreamLogin>;
}

/**
 * Providers whose people are named by a user name that is unique there at any moment (GitHub's
 * login, GitLab's username), compared without case. Everyone else is an OIDC issuer: its people
 * are named by `sub`, the one claim OIDC Core promises is unique and never reassigned
 * (`preferred_username` is neither), compared exactly.
 */
export const USERNAME_PROVIDERS: ReadonlySet<string> = new Set(['github', 'gitlab']);

/**
 * An identity as stored by an earlier version, named the way this one names it: an OIDC person by
 * `sub`, with the user name they had kept as their readable name.
 */
export function currentIdentity(identity: UpstreamIdentity): UpstreamIdentity {
  if (USERNAME_PROVIDERS.has(identity.provider) || identity.login === identity.subject) return identity;
  return { ...identity, login: identity.subject, name: identity.name ?? identity.login };
}
