import type { LoginAttempt, UpstreamGrant, UpstreamLogin, UpstreamProvider } from '../identity/identity.ts';
import type { ProviderFacts } from './login-errors.ts';
import { OAuthApp } from './oauth-app.ts';
import { ProviderApi, requiredField, stringField } from './provider-api.ts';
import { type ProviderDeps, refreshedGrant } from './provider-deps.ts';
import { boundedFetch } from './provider-fetch.ts';
import { type GithubCredentials, githubUrls } from './provider-settings.ts';

/**
 * Scopes asked of GitHub: `user:email` to read the verified primary address (`GET /user/emails`),
 * `read:org` to read org and team membership, private ones included (`GET /user/orgs`,
 * `GET /user/teams`). `GET /user` needs none. GitHub lists only the orgs this authorization may act
 * on: an org with OAuth app access restrictions shows up only once an owner approved the app.
 */
export const GITHUB_SCOPES = 'user:email read:org';

/** Login through a GitHub OAuth app (github.com or an Enterprise Server), orgs and teams read each time. */
export class GitHubProvider implements UpstreamProvider {
  readonly id = 'github';
  readonly label = 'GitHub';
  /** The OAuth app's client ID (not a secret): tells apart a route's own app from the global one. */
  readonly clientId: string;
  readonly url: string;
  readonly apiUrl: string;
  readonly #app: OAuthApp;
  readonly #api: ProviderApi;
  readonly #deps: ProviderDeps;

  constructor(credentials: GithubCredentials, deps: ProviderDeps) {
    const { url, apiUrl } = githubUrls(credentials);
    this.clientId = credentials.clientId;
    this.url = url;
    this.apiUrl = apiUrl;
    this.#deps = deps;
    const facts: ProviderFacts = {
      label: this.label,
      clientId: credentials.clientId,
      appSettings: `the OAuth app's settings at ${url}/settings/developers`,
      scopes: GITHUB_SCOPES,
    };
    const bounded = boundedFetch(deps.fetch, this.label, deps.limits);
    const tokenEndpoint = `${url}/login/oauth/access_token`;
    this.#app = new OAuthApp({
      facts,
      issuer: url,
      authorizationEndpoint: `${url}/login/oauth/authorize`,
      tokenEndpoint,
      clientSecret: credentials.clientSecret,
      fetch: errorsAsStatus(bounded, tokenEndpoint),
      clock: deps.clock,
    });
    this.#api = new ProviderApi(bounded, facts, deps.clock, {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'gatehouse',
    });
  }

  authorizationUrl(attempt: LoginAttempt): Promise<URL> {
    return this.#app.authorizationUrl(attempt, { scope: GITHUB_SCOPES });
  }

  async complete(attempt: LoginAttempt, callbackUrl: URL): Promise<UpstreamLogin> {
    const tokens = await this.#app.exchange(attempt, callbackUrl);
    const grant: UpstreamGrant = {
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
    };
    return this.#read(grant);
  }

  async reread(grant: UpstreamGrant): Promise<UpstreamLogin> {
    return this.#read(await refreshedGrant(grant, this.#deps.clock, (token) => this.#app.refresh(token)));
  }

  async #read(grant: UpstreamGrant): Promise<UpstreamLogin> {
    const token = grant.accessToken;
    const [user, emails, orgs, teams] = await Promise.all([
      this.#api.get(`${this.apiUrl}/user`, token),
      this.#api.list(`${this.apiUrl}/user/emails?per_page=100`, token),
      this.#api.list(`${this.apiUrl}/user/orgs?per_page=100`, token),
      this.#api.list(`${this.apiUrl}/user/teams?per_page=100`, token),
    ]);
    const place = `${this.apiUrl}/user`;
    const primary = emails.find(
      (e) => (e as { primary?: unknown }).primary === true && (e as { verified?: unknown }).verified === true,
    );
    const email = stringField(primary, 'email');
    const name = stringField(user, 'name');
    return {
      identity: {
        provider: this.id,
        subject: requiredField(user, 'id', this.label, place),
        login: requiredField(user, 'login', this.label, place).toLowerCase(),
        ...(email ? { email } : {}),
        ...(name ? { name } : {}),
        orgs: unique(orgs.map((o) => stringField(o, 'login'))),
        teams: unique(
          teams.map((t) => {
            const org = stringField((t as { organization?: unknown }).organization, 'login');
            const slug = stringField(t, 'slug');
            return org && slug ? `${org}/${slug}` : undefined;
          }),
        ),
        groups: [],
        claims: {},
      },
      grant,
    };
  }

  toJSON(): Record<string, string> {
    return { id: this.id, clientId: this.clientId, url: this.url, apiUrl: this.apiUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `GitHubProvider ${JSON.stringify(this.toJSON())}`;
  }
}

/** Lower-case, without blanks or repeats, sorted: policies compare these names exactly. */
export function unique(names: readonly (string | undefined)[]): string[] {
  return [...new Set(names.filter((n): n is string => !!n).map((n) => n.toLowerCase()))].sort();
}

/**
 * GitHub answers token errors with HTTP 200 and `{error, error_description, error_uri}`; this gives
 * them a 400 so openid-client reads them as the OAuth errors they are.
 */
function errorsAsStatus(doFetch: typeof fetch, tokenEndpoint: string): typeof fetch {
  return async (input, init) => {
    const res = await doFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (res.status !== 200 || url !== tokenEndpoint) return res;
    const text = await res.text();
    let error = false;
    try {
      error = typeof (JSON.parse(text) as { error?: unknown }).error === 'string';
    } catch {}
    return new Response(text, { status: error ? 400 : 200, headers: res.headers });
  };
}
