import { createHash } from 'node:crypto';
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

/** A GitHub user as the stand-in holds it; tests edit the lists (say, to remove an org membership). */
export interface GithubUser {
  readonly id: number;
  readonly login: string;
  name?: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
  /** Org logins as GitHub spells them (`Acme`). */
  orgs: string[];
  teams: { org: string; slug: string }[];
}

/** An OAuth app registered at the stand-in. */
export interface GithubApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's "Authorization callback URL". */
  readonly callbackUrl: string;
}

/**
 * GitHub's OAuth web flow and user API as documented, on a loopback port: web pages at `url`, the
 * REST API at `apiUrl` (`url/api/v3`, GitHub Enterprise Server's layout).
 */
export interface GithubStandin extends StandinServer {
  readonly apiUrl: string;
  readonly users: Map<string, GithubUser>;
  /** Who is signed in at the stand-in: the consent page and auto-approval act as them. */
  currentUser: string | undefined;
  /** Skip the consent page: GET authorize redirects straight back (an app the user approved before). */
  autoApprove: boolean;
  /** Revokes a user's tokens, of one app or all (they revoked the app in their settings). */
  revokeTokensOf(login: string, clientId?: string): void;
}

const DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';
const CODE_TTL_MS = 10 * 60_000;

interface Code {
  readonly app: GithubApp;
  readonly login: string;
  readonly redirectUri: string | undefined;
  readonly challenge: string | undefined;
  readonly scopes: string[];
  readonly expiresAt: number;
}

/** Starts the stand-in with these apps and users; `now` is its clock (code expiry). */
export async function startGithubStandin(options: {
  readonly apps: readonly GithubApp[];
  readonly users?: readonly GithubUser[];
  readonly now?: () => number;
}): Promise<GithubStandin> {
  const now = options.now ?? Date.now;
  const users = new Map((options.users ?? []).map((u) => [u.login, u]));
  const codes = new Map<string, Code>();
  const tokens = new Map<string, { login: string; scopes: string[]; app: string }>();
  const appOf = (id: string | undefined) => options.apps.find((a) => a.clientId === id);

  const handle = (req: StandinRequest): StandinAnswer => {
    const path = req.url.pathname;
    if (path === '/login/oauth/authorize') return authorize(req);
    if (path === '/login/oauth/access_token' && req.method === 'POST') return accessToken(req);
    if (path.startsWith('/api/v3/')) return api(req, path.slice('/api/v3'.length));
    return html(404, '<h1>404</h1>');
  };

  const authorize = (req: StandinRequest): StandinAnswer => {
    const params = req.method === 'POST' ? new URLSearchParams(req.form) : req.url.searchParams;
    const app = appOf(params.get('client_id') ?? undefined);
    if (!app) return html(404, '<h1>404</h1><p>This is not the web page you are looking for.</p>');
    const state = params.get('state');
    const callback = new URL(app.callbackUrl);
    const back = (target: URL, values: Record<string, string>) => {
      for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v);
      if (state !== null) target.searchParams.set('state', state);
      return redirect(target);
    };
    const given = params.get('redirect_uri');
    // GitHub: same scheme, host and port as the callback URL, and a path within its path.
    if (given !== null && !withinCallback(given, callback))
      return back(callback, {
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${DOCS}/#redirect-uri-mismatch`,
      });
    const target = new URL(given ?? app.callbackUrl);
    const method = params.get('code_challenge_method') ?? 'plain';
    const challenge = params.get('code_challenge') ?? undefined;
    if (challenge !== undefined && method !== 'S256')
      return back(target, {
        error: 'invalid_request',
        error_description: 'code_challenge_method must be S256.',
      });
    const hint = params.get('login');
    const login = hint && users.has(hint) ? hint : standin.currentUser;
    if (!login || !users.has(login)) return html(200, '<h1>Sign in to GitHub</h1>');
    if (req.method === 'GET' && !standin.autoApprove)
      return consentPage('GitHub', app.clientId, login, '/login/oauth/authorize', params);
    if (req.method === 'POST' && req.form['authorize'] !== '1')
      return back(target, {
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri: `${DOCS}/#access-denied`,
      });
    const code = token('');
    codes.set(code, {
      app,
      login,
      redirectUri: given ?? undefined,
      challenge,
      scopes: (params.get('scope') ?? '').split(/[\s,]+/).filter(Boolean),
      expiresAt: now() + CODE_TTL_MS,
    });
    return back(target, { code });
  };

  // GitHub answers token errors with 200, JSON only when asked with Accept: application/json.
  const accessToken = (req: StandinRequest): StandinAnswer => {
    const answer = (value: Record<string, string>) =>
      (req.headers.accept ?? '').includes('application/json')
        ? json(200, value)
        : {
            status: 200,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(value).toString(),
          };
    const fail = (error: string, description: string) =>
      answer({ error, error_description: description, error_uri: `${DOCS}/#${error.replaceAll('_', '-')}` });
    const { id, secret } = clientCredentials(req);
    const app = appOf(id);
    if (!app || secret !== app.clientSecret)
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    const code = codes.get(req.form['code'] ?? '');
    codes.delete(req.form['code'] ?? ''); // single use, even when the exchange fails
    const redirectUri = req.form['redirect_uri'];
    if (redirectUri !== undefined && !withinCallback(redirectUri, new URL(app.callbackUrl)))
      return fail(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    if (!code || code.app !== app || code.expiresAt <= now())
      return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    if (code.redirectUri !== undefined && redirectUri !== code.redirectUri)
      return fail(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    if (code.challenge !== undefined && pkceS256(req.form['code_verifier'] ?? '') !== code.challenge)
      return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    const accessToken = token('gho_');
    tokens.set(accessToken, { login: code.login, scopes: code.scopes, app: code.app.clientId });
    return answer({ access_token: accessToken, token_type: 'bearer', scope: code.scopes.join(',') });
  };

  const api = (req: StandinRequest, path: string): StandinAnswer => {
    const given = bearerToken(req);
    const grant = given ? tokens.get(given) : undefined;
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(now() / 1000) + 3600),
      ...(grant ? { 'x-oauth-scopes': grant.scopes.join(', ') } : {}),
    };
    if (!grant)
      return json(
        401,
        {
          message: given ? 'Bad credentials' : 'Requires authentication',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        },
        headers,
      );
    const user = users.get(grant.login)!;
    const has = (...scopes: string[]) => scopes.some((s) => grant.scopes.includes(s));
    if (path === '/user')
      return json(
        200,
        {
          login: user.login,
          id: user.id,
          node_id: `U_${user.id}`,
          type: 'User',
          site_admin: false,
          name: user.name ?? null,
          email: null,
        },
        headers,
      );
    if (path === '/user/emails') {
      if (!has('user', 'user:email'))
        return json(
          404,
          {
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest/users/emails',
            status: '404',
          },
          headers,
        );
      return page(
        req,
        user.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
        headers,
      );
    }
    if (path === '/user/orgs' || path === '/user/teams') {
      if (!has('read:org', 'user', 'admin:org'))
        return json(
          403,
          {
            message: 'You need at least read:org scope or user scope to list your organizations.',
            documentation_url: 'https://docs.github.com/rest/orgs/orgs',
            status: '403',
          },
          { ...headers, 'x-accepted-oauth-scopes': 'read:org, user' },
        );
      const items =
        path === '/user/orgs'
          ? user.orgs.map((login, i) => ({ login, id: 1000 + i, node_id: `O_${login}`, description: null }))
          : user.teams.map((t, i) => ({
              id: 2000 + i,
              slug: t.slug,
              name: t.slug,
              organization: { login: t.org, id: 1000 + i },
            }));
      return page(req, items, headers);
    }
    return json(
      404,
      { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
      headers,
    );
  };

  const server = await startStandin(handle);
  const standin: GithubStandin = {
    ...server,
    url: server.url,
    apiUrl: `${server.url}/api/v3`,
    users,
    currentUser: undefined,
    autoApprove: false,
    revokeTokensOf(login, clientId) {
      for (const [value, grant] of tokens)
        if (grant.login === login && (clientId === undefined || grant.app === clientId)) tokens.delete(value);
    },
  };
  return standin;
}

/** One page of a list, `per_page` (default 30, at most 100) from `page`, with GitHub's `Link` header. */
function page(req: StandinRequest, items: unknown[], headers: Record<string, string>): StandinAnswer {
  const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30)));
  const number = Math.max(1, Number(req.url.searchParams.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const url = new URL(req.url.pathname, `http://${req.headers.host}`);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links = number < last ? [link(number + 1, 'next'), link(last, 'last')] : [];
  return json(
    200,
    items.slice((number - 1) * perPage, number * perPage),
    links.length ? { ...headers, link: links.join(', ') } : headers,
  );
}

function withinCallback(given: string, callback: URL): boolean {
  if (!URL.canParse(given)) return false;
  const url = new URL(given);
  const base = callback.pathname.replace(/\/$/, '');
  return (
    url.origin === callback.origin &&
    (url.pathname === callback.pathname || url.pathname.startsWith(`${base}/`))
  );
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
