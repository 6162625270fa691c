import * as oauth from 'oauth4webapi';
import type { AdminAppLogin } from './sign-in-document.ts';
import { forgetToken, heldLogin, saveLogin } from './tokens.ts';

/** A login on its way through the authorization server: what the return must match. */
interface PendingLogin {
  readonly login: AdminAppLogin;
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

/** Where the pending login waits while the page is away at the authorization server. */
const PENDING_KEY = 'gatehouse.admin.pending';

/** The authorization server's metadata (RFC 8414), read once per page. */
const servers = new Map<string, Promise<oauth.AuthorizationServer>>();

/** oauth4webapi refuses plain http unless told: a gateway without TLS is reached over http. */
function transport(login: AdminAppLogin): { [oauth.allowInsecureRequests]?: boolean } {
  return new URL(login.issuer).protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
}

function authorizationServer(login: AdminAppLogin): Promise<oauth.AuthorizationServer> {
  let found = servers.get(login.issuer);
  if (!found) {
    const issuer = new URL(login.issuer);
    found = oauth
      .discoveryRequest(issuer, { algorithm: 'oauth2', ...transport(login) })
      .then((res) => oauth.processDiscoveryResponse(issuer, res));
    found.catch(() => servers.delete(login.issuer));
    servers.set(login.issuer, found);
  }
  return found;
}

/** The app itself, where the authorization server sends the person back. */
function redirectUri(): string {
  return `${location.origin}/ui/`;
}

/**
 * Sends the person to the authorization server to log in: authorization code with PKCE S256,
 * a random state, the admin API as the resource. The verifier and state stay in this tab.
 */
export async function startLogin(login: AdminAppLogin): Promise<void> {
  const as = await authorizationServer(login);
  if (!as.authorization_endpoint) throw new Error(`${login.issuer} names no authorization endpoint`);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const pending: PendingLogin = {
    login,
    state: oauth.generateRandomState(),
    codeVerifier,
    redirectUri: redirectUri(),
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: login.clientId,
    redirect_uri: pending.redirectUri,
    response_type: 'code',
    scope: login.scope,
    resource: login.resource,
    state: pending.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** True when the address bar holds an authorization server's answer (a code or an error). */
function answerInAddressBar(): boolean {
  const params = new URLSearchParams(location.search);
  return params.has('code') || params.has('error');
}

/** True when this page is the authorization server's answer to a login this tab started. */
export function loginReturned(): boolean {
  return answerInAddressBar() && sessionStorage.getItem(PENDING_KEY) !== null;
}

/** Takes an answer to a login this tab did not start (another tab's, a copied link) out of the address bar. */
export function dropStrayAnswer(): void {
  if (answerInAddressBar() && !loginReturned())
    history.replaceState(null, '', `${location.pathname}${location.hash}`);
}

/**
 * Finishes a login from the answer in the address bar: the `iss` and state checked, the code
 * exchanged (with its verifier and the resource) for tokens kept in this tab. The answer leaves
 * the address bar first, whatever comes of it. Throws what to show when the login was refused.
 */
export async function completeLogin(): Promise<void> {
  const answer = new URL(location.href);
  history.replaceState(null, '', `${answer.pathname}${answer.hash}`);
  const text = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!text) throw new Error('This login was not started here, or is already finished: log in again.');
  const pending = JSON.parse(text) as PendingLogin;
  const { login } = pending;
  const as = await authorizationServer(login);
  const client: oauth.Client = { client_id: login.clientId };
  const params = oauth.validateAuthResponse(as, client, answer, pending.state);
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    pending.redirectUri,
    pending.codeVerifier,
    { additionalParameters: { resource: login.resource }, ...transport(login) },
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, res);
  saveLogin(tokens.access_token, tokens.refresh_token, login);
}

let refreshing: Promise<boolean> | undefined;

/**
 * Trades the held refresh token for a new pair (the server rotates them): true when a new access
 * token is held. One refresh at a time, however many calls were refused together; a refused
 * refresh forgets the login.
 */
export function refreshLogin(): Promise<boolean> {
  refreshing ??= (async () => {
    const held = heldLogin();
    if (!held?.refreshToken) return false;
    const { login, refreshToken } = held;
    try {
      const as = await authorizationServer(login);
      const client: oauth.Client = { client_id: login.clientId };
      const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
        additionalParameters: { resource: login.resource },
        ...transport(login),
      });
      const tokens = await oauth.processRefreshTokenResponse(as, client, res);
      saveLogin(tokens.access_token, tokens.refresh_token, login);
      return true;
    } catch {
      forgetToken();
      return false;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** Revokes the held refresh token (and with it the login), if there is one. */
export async function revokeLogin(): Promise<void> {
  const held = heldLogin();
  if (!held?.refreshToken) return;
  const { login, refreshToken } = held;
  const as = await authorizationServer(login);
  const res = await oauth.revocationRequest(as, { client_id: login.clientId }, oauth.None(), refreshToken, {
    ...transport(login),
  });
  await oauth.processRevocationResponse(res);
}

/** What to tell the person when a login did not end signed in. */
export function loginErrorText(error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError) {
    const why = error.error_description ?? error.error;
    if (error.error === 'access_denied')
      return `Not signed in: ${why}. An administrator adds people to --admin-users; until then, sign in with an admin API key.`;
    return `The login failed (${error.error}): ${why}. Log in again, or sign in with an admin API key.`;
  }
  if (error instanceof oauth.ResponseBodyError)
    return `The login failed (${error.error}): ${error.error_description ?? 'the token request was refused'}. Log in again.`;
  return `The login failed: ${error instanceof Error ? error.message : String(error)}. Log in again.`;
}
