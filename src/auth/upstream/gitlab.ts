import { GatehouseError } from '../../core/errors.ts';
import type { LoginAttempt, UpstreamGrant, UpstreamLogin, UpstreamProvider } from '../identity/identity.ts';
import { unique } from './github.ts';
import type { ProviderFacts } from './login-errors.ts';
import { OAuthApp } from './oauth-app.ts';
import { ProviderApi, requiredField, stringField } from './provider-api.ts';
import { type ProviderDeps, refreshedGrant } from './provider-deps.ts';
import { boundedFetch } from './provider-fetch.ts';
import { type GitlabCredentials, gitlabUrl } from './provider-settings.ts';

/**
 * Scopes asked of GitLab: `read_user` for `GET /api/v4/user`, `openid` for the userinfo `groups`
 * claim. Groups come from that claim rather than `GET /api/v4/groups`, which needs `read_api`
 * (read access to every project the user can see): the claim needs no more than login does, lists
 * inherited memberships (subgroups of a group one belongs to) too, and is one request, not pages.
 */
export const GITLAB_SCOPES = 'openid read_user';

/** Login through a GitLab application (gitlab.com or self-managed) with PKCE; groups read each time. */
export class GitLabProvider implements UpstreamProvider {
  readonly id = 'gitlab';
  readonly label = 'GitLab';
  /** The application's ID (not a secret): tells apart a route's own app from the global one. */
  readonly clientId: string;
  readonly url: string;
  readonly #app: OAuthApp;
  readonly #api: ProviderApi;
  readonly #deps: ProviderDeps;

  constructor(credentials: GitlabCredentials, deps: ProviderDeps) {
    this.url = gitlabUrl(credentials);
    this.clientId = credentials.clientId;
    this.#deps = deps;
    const facts: ProviderFacts = {
      label: this.label,
      clientId: credentials.clientId,
      appSettings: `the application's settings at ${this.url}/-/user_settings/applications (or the group's or instance's applications)`,
      scopes: GITLAB_SCOPES,
    };
    const bounded = boundedFetch(deps.fetch, this.label, deps.limits);
    this.#app = new OAuthApp({
      facts,
      issuer: this.url,
      authorizationEndpoint: `${this.url}/oauth/authorize`,
      tokenEndpoint: `${this.url}/oauth/token`,
      clientSecret: credentials.clientSecret,
      fetch: bounded,
      clock: deps.clock,
    });
    this.#api = new ProviderApi(bounded, facts, deps.clock);
  }

  authorizationUrl(attempt: LoginAttempt): Promise<URL> {
    return this.#app.authorizationUrl(attempt, { scope: GITLAB_SCOPES, nonce: attempt.nonce });
  }

  async complete(attempt: LoginAttempt, callbackUrl: URL): Promise<UpstreamLogin> {
    const tokens = await this.#app.exchange(attempt, callbackUrl, { nonce: attempt.nonce });
    return this.#read({
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
    });
  }

  /** GitLab's access tokens last 2 hours: an expired one is refreshed first (GitLab rotates the refresh token). */
  async reread(grant: UpstreamGrant): Promise<UpstreamLogin> {
    return this.#read(await refreshedGrant(grant, this.#deps.clock, (token) => this.#app.refresh(token)));
  }

  async #read(grant: UpstreamGrant): Promise<UpstreamLogin> {
    const [user, info] = await Promise.all([
      this.#api.get(`${this.url}/api/v4/user`, grant.accessToken),
      this.#api.get(`${this.url}/oauth/userinfo`, grant.accessToken),
    ]);
    const subject = requiredField(user, 'id', this.label, `${this.url}/api/v4/user`);
    if (requiredField(info, 'sub', this.label, `${this.url}/oauth/userinfo`) !== subject)
      throw new GatehouseError(
        'LOGIN_PROVIDER_INVALID_ANSWER',
        `${this.label} described two different users at /api/v4/user and /oauth/userinfo; check its URL in the login settings`,
      );
    const email =
      (info as { email_verified?: unknown }).email_verified === true ? stringField(info, 'email') : undefined;
    const name = stringField(user, 'name');
    const groups = (info as { groups?: unknown }).groups;
    return {
      identity: {
        provider: this.id,
        subject,
        login: requiredField(user, 'username', this.label, `${this.url}/api/v4/user`).toLowerCase(),
        ...(email ? { email } : {}),
        ...(name ? { name } : {}),
        orgs: [],
        teams: [],
        groups: unique(
          Array.isArray(groups) ? groups.map((g) => (typeof g === 'string' ? g : undefined)) : [],
        ),
        claims: {},
      },
      grant,
    };
  }

  toJSON(): Record<string, string> {
    return { id: this.id, clientId: this.clientId, url: this.url };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `GitLabProvider ${JSON.stringify(this.toJSON())}`;
  }
}
