import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pkceS256 } from './github-standin.ts';
import {
  bearerToken,
  clientCredentials,
  consentPage,
  html,
  json,
  redirect,
  type StandinAnswer,
  type StandinRequest,
  type StandinServer,
  startStandin,
  token,
} from './standin-http.ts';

/** A GitLab user as the stand-in holds it; tests edit `groups` (say, to remove a membership). */
export interface GitlabUser {
  readonly id: number;
  readonly username: string;
  name?: string;
  email?: string;
  emailVerified?: boolean;
  /** Full paths of the groups the user belongs to, directly or through an ancestor (`Acme/Platform`). */
  groups: string[];
}

/** An OAuth application registered at the stand-in. */
export interface GitlabApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered redirect URIs, matched exactly (Doorkeeper). */
  readonly redirectUris: readonly string[];
  /** Scopes the application is allowed. */
  readonly scopes: readonly string[];
}

/** GitLab's OAuth 2 provider (Doorkeeper), userinfo and `/api/v4/user`, as documented, on a loopback port. */
export interface GitlabStandin extends StandinServer {
  readonly users: Map<string, GitlabUser>;
  currentUser: string | undefined;
  autoApprove: boolean;
  /** Revokes every access and refresh token of a user (they revoked the application). */
  revokeTokensOf(login: string): void;
}

/** GitLab's access token lifetime. */
export const GITLAB_TOKEN_SECONDS = 7200;
const CODE_TTL_MS = 10 * 60_000;

const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const INVALID_CLIENT =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';

interface Grant {
  readonly app: GitlabApp;
  readonly username: string;
  readonly scopes: string[];
}

/** Starts the stand-in; `now` is its clock (token and code expiry, ID token times). */
export async function startGitlabStandin(options: {
  readonly apps: readonly GitlabApp[];
  readonly users?: readonly GitlabUser[];
  readonly now?: () => number;
}): Promise<GitlabStandin> {
  const now = options.now ?? Date.now;
  const users = new Map((options.users ?? []).map((u) => [u.username, u]));
  const codes = new Map<
    string,
    Grant & { redirectUri: string; challenge?: string; method: string; nonce?: string; expiresAt: number }
  >();
  const access = new Map<string, Grant & { expiresAt: number; refresh: string }>();
  const refresh = new Map<string, Grant>();
  const keys = await generateKeyPair('RS256');
  const kid = 'standin-key';
  let base = '';
  const appOf = (id: string | undefined) => options.apps.find((a) => a.clientId === id);

  const handle = (req: StandinRequest): Promise<StandinAnswer> | StandinAnswer => {
    const path = req.url.pathname;
    if (path === '/oauth/authorize') return authorize(req);
    if (path === '/oauth/token' && req.method === 'POST') return tokenEndpoint(req);
    if (path === '/oauth/userinfo') return withToken(req, 'openid', (g) => userinfo(g));
    if (path === '/api/v4/user') return withToken(req, 'read_user', (g) => apiUser(g));
    if (path === '/oauth/discovery/keys')
      return exportJWK(keys.publicKey).then((jwk) =>
        json(200, { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] }),
      );
    return json(404, { message: '404 Not Found' });
  };

  const authorize = (req: StandinRequest): StandinAnswer => {
    const params = req.method === 'POST' ? new URLSearchParams(req.form) : req.url.searchParams;
    const app = appOf(params.get('client_id') ?? undefined);
    // Doorkeeper shows its own error page, without redirecting, for a client or redirect URI it cannot trust.
    if (!app) return html(401, `<h2>An error has occurred</h2><p>${INVALID_CLIENT}</p>`);
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!app.redirectUris.includes(redirectUri))
      return html(400, '<h2>An error has occurred</h2><p>The redirect URI included is not valid.</p>');
    const back = (values: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v);
      const state = params.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return redirect(target);
    };
    if (params.get('response_type') !== 'code')
      return back({
        error: 'unsupported_response_type',
        error_description: 'The authorization server does not support this response type.',
      });
    const scopes = (params.get('scope') ?? 'read_user').split(' ').filter(Boolean);
    if (scopes.some((s) => !app.scopes.includes(s)))
      return back({
        error: 'invalid_scope',
        error_description: 'The requested scope is invalid, unknown, or malformed.',
      });
    const method = params.get('code_challenge_method') ?? 'plain';
    if (params.get('code_challenge') && !['S256', 'plain'].includes(method))
      return back({
        error: 'invalid_request',
        error_description: 'The code challenge method is not supported.',
      });
    const login = standin.currentUser;
    if (!login || !users.has(login)) return html(200, '<h1>Sign in to GitLab</h1>');
    if (req.method === 'GET' && !standin.autoApprove)
      return consentPage('GitLab', app.clientId, login, '/oauth/authorize', params);
    if (req.method === 'POST' && req.form['authorize'] !== '1')
      return back({
        error: 'access_denied',
        error_description: 'The resource owner or authorization server denied the request.',
      });
    const code = token('');
    const challenge = params.get('code_challenge');
    const nonce = params.get('nonce');
    codes.set(code, {
      app,
      username: login,
      scopes,
      redirectUri,
      method,
      expiresAt: now() + CODE_TTL_MS,
      ...(challenge ? { challenge } : {}),
      ...(nonce ? { nonce } : {}),
    });
    return back({ code });
  };

  const tokenEndpoint = async (req: StandinRequest): Promise<StandinAnswer> => {
    const { id, secret } = clientCredentials(req);
    const app = appOf(id);
    if (!app || secret !== app.clientSecret)
      return json(
        401,
        { error: 'invalid_client', error_description: INVALID_CLIENT },
        { 'www-authenticate': 'Basic realm="Doorkeeper"' },
      );
    const invalidGrant = json(400, { error: 'invalid_grant', error_description: INVALID_GRANT });
    if (req.form['grant_type'] === 'authorization_code') {
      const code = codes.get(req.form['code'] ?? '');
      codes.delete(req.form['code'] ?? '');
      if (
        !code ||
        code.app !== app ||
        code.expiresAt <= now() ||
        code.redirectUri !== req.form['redirect_uri']
      )
        return invalidGrant;
      const verifier = req.form['code_verifier'] ?? '';
      if (code.challenge && (code.method === 'S256' ? pkceS256(verifier) : verifier) !== code.challenge)
        return invalidGrant;
      return issue(code, code.nonce);
    }
    if (req.form['grant_type'] === 'refresh_token') {
      const grant = refresh.get(req.form['refresh_token'] ?? '');
      if (!grant || grant.app !== app) return invalidGrant;
      // Rotation: the used refresh token and its access token stop working.
      refresh.delete(req.form['refresh_token']!);
      for (const [value, t] of access) if (t.refresh === req.form['refresh_token']) access.delete(value);
      return issue(grant, undefined);
    }
    return json(400, {
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server.',
    });
  };

  const issue = async (grant: Grant, nonce: string | undefined): Promise<StandinAnswer> => {
    const accessToken = token('');
    const refreshToken = token('');
    const created = Math.floor(now() / 1000);
    access.set(accessToken, {
      ...grant,
      expiresAt: now() + GITLAB_TOKEN_SECONDS * 1000,
      refresh: refreshToken,
    });
    refresh.set(refreshToken, grant);
    const user = users.get(grant.username)!;
    const idToken = grant.scopes.includes('openid')
      ? await new SignJWT({
          sub_legacy: `legacy-${user.id}`,
          auth_time: created,
          ...(nonce ? { nonce } : {}),
          ...(user.email ? { email: user.email, email_verified: user.emailVerified === true } : {}),
          groups_direct: user.groups,
        })
          .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
          .setIssuer(base)
          .setSubject(String(user.id))
          .setAudience(grant.app.clientId)
          .setIssuedAt(created)
          .setExpirationTime(created + 120)
          .sign(keys.privateKey)
      : undefined;
    return json(200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: GITLAB_TOKEN_SECONDS,
      refresh_token: refreshToken,
      scope: grant.scopes.join(' '),
      created_at: created,
      ...(idToken ? { id_token: idToken } : {}),
    });
  };

  const withToken = (
    req: StandinRequest,
    scope: string,
    answer: (grant: Grant) => StandinAnswer,
  ): StandinAnswer => {
    const given = bearerToken(req);
    const grant = given ? access.get(given) : undefined;
    const invalid = (description: string) =>
      json(
        401,
        { error: 'invalid_token', error_description: description },
        {
          'www-authenticate': `Bearer realm="Doorkeeper", error="invalid_token", error_description="${description}"`,
        },
      );
    if (!grant)
      return req.url.pathname.startsWith('/api/')
        ? json(401, { message: '401 Unauthorized' })
        : invalid('The access token is invalid');
    if (grant.expiresAt <= now())
      return invalid('Token is expired. You can either do re-authorization or token refresh.');
    if (!grant.scopes.includes(scope) && !grant.scopes.includes('api'))
      return json(403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope,
      });
    return answer(grant);
  };

  const userinfo = (grant: Grant): StandinAnswer => {
    const user = users.get(grant.username)!;
    return json(200, {
      sub: String(user.id),
      sub_legacy: `legacy-${user.id}`,
      name: user.name ?? user.username,
      nickname: user.username,
      preferred_username: user.username,
      ...(user.email ? { email: user.email, email_verified: user.emailVerified === true } : {}),
      profile: `${base}/${user.username}`,
      groups: user.groups,
      groups_direct: user.groups,
    });
  };

  const apiUser = (grant: Grant): StandinAnswer => {
    const user = users.get(grant.username)!;
    return json(200, {
      id: user.id,
      username: user.username,
      name: user.name ?? user.username,
      state: 'active',
      web_url: `${base}/${user.username}`,
      email: user.email ?? null,
    });
  };

  const server = await startStandin(handle);
  base = server.url;
  const standin: GitlabStandin = {
    ...server,
    users,
    currentUser: undefined,
    autoApprove: false,
    revokeTokensOf(login) {
      for (const [value, t] of access) if (t.username === login) access.delete(value);
      for (const [value, t] of refresh) if (t.username === login) refresh.delete(value);
    },
  };
  return standin;
}
