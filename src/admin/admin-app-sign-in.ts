/** How the admin web app logs a person in through Gatehouse's authorization server. */
export interface AdminAppLogin {
  /** The authorization server (RFC 8414 metadata at `<issuer>/.well-known/oauth-authorization-server`). */
  readonly issuer: string;
  readonly clientId: string;
  /** The resource indicator (RFC 8707) of the admin API: `<issuer>/api`. */
  readonly resource: string;
  /** The scope the admin API needs: `admin`. */
  readonly scope: string;
}

/**
 * What the app reads at `/ui/sign-in.json` before it shows the sign-in page: the login it may
 * offer beside the API key, or why there is none. Public: names and addresses, no secret.
 */
export type AdminAppSignIn =
  | { readonly oauth: AdminAppLogin }
  | { readonly oauth: null; readonly reason: string };

/** No login offered, for a gateway that has no authorization server wired in. */
export const NO_LOGIN: AdminAppSignIn = { oauth: null, reason: 'this gateway offers no login' };

/**
 * The page's Content-Security-Policy. The app talks to its own origin, and to the authorization
 * server's when that is elsewhere (discovery, the token and revocation calls); it keeps a key or
 * token in sessionStorage, so nothing from elsewhere may run in it, frame it, or see where it was.
 */
export function adminAppPolicy(pageOrigin: string | undefined, signIn: AdminAppSignIn): string {
  const issuer = signIn.oauth ? URL.parse(signIn.oauth.issuer)?.origin : undefined;
  const connect = issuer && issuer !== pageOrigin ? `'self' ${issuer}` : "'self'";
  return `default-src 'self'; connect-src ${connect}; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
}
