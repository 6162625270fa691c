import type { Clock } from '../../src/core/clock.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { type GithubStandin, startGithubStandin } from './github-standin.ts';
import { formFields } from './html-forms.ts';
import type { HttpBrowser } from './http-browser.ts';
import { DEFAULT_USERS } from './oauth-world.ts';
import { type OidcIssuer, startOidcIssuer } from './oidc-issuer.ts';
import { freePort } from './redis.ts';
import { startUpstream, type Upstream } from './upstream.ts';

/** A gateway with GitHub login (its stand-in), a protected upstream, and the names they go by. */
export interface LoginWorld {
  readonly gw: TestGateway;
  readonly github: GithubStandin;
  readonly upstream: Upstream;
  /** The OIDC issuer, when the world has one. */
  readonly oidc: OidcIssuer | undefined;
  /** `http://gatehouse.test:<port>`: the domain, the auth host and the issuer. */
  readonly issuer: string;
  /** The base URL of a host on the gateway: `http://<host>:<port>`. */
  origin(host: string): string;
  stop(): Promise<void>;
}

/** A second OAuth app at the GitHub stand-in, for a route that brings its own. */
export const ROUTE_APP = { clientId: 'gh-route-app', clientSecret: 'gh-route-app-secret' } as const;

/** People at the GitHub stand-in: alice in org acme (team ops), bob in none. */
export const PEOPLE = [
  {
    id: 1001,
    login: 'alice',
    name: 'Alice',
    emails: [{ email: 'alice@acme.test', primary: true, verified: true }],
    orgs: ['Acme'],
    teams: [{ org: 'Acme', slug: 'ops' }],
  },
  {
    id: 1002,
    login: 'bob',
    name: 'Bob',
    emails: [{ email: 'bob@elsewhere.test', primary: true, verified: true }],
    orgs: [],
    teams: [],
  },
];

/**
 * Starts the world; `flags` add to the gateway's (say, `admin-users`, or `auth-host`). With
 * `oidc`, a real oidc-provider issuer is a second way to log in ("Company login").
 */
export async function startLoginWorld(
  flags: Record<string, string> = {},
  options: { oidc?: boolean; env?: Record<string, string>; clock?: Clock } = {},
): Promise<LoginWorld> {
  const port = await freePort();
  const issuer = `http://${flags['auth-host'] ?? 'gatehouse.test'}:${port}`;
  const oidc = options.oidc
    ? await startOidcIssuer({
        redirectUris: [`${issuer}/login/callback/oidc`],
        users: structuredClone(DEFAULT_USERS),
      })
    : undefined;
  const github = await startGithubStandin({
    apps: [
      { clientId: 'gh-app', clientSecret: 'gh-app-secret', callbackUrl: `${issuer}/login/callback/github` },
      { ...ROUTE_APP, callbackUrl: `${issuer}/login/callback/github` },
    ],
    users: structuredClone(PEOPLE),
  });
  const upstream = await startUpstream();
  const gw = await startTestGateway({
    ...(options.clock ? { clock: options.clock } : {}),
    flags: { port: String(port), domain: 'gatehouse.test', ...flags },
    env: {
      GITHUB_CLIENT_ID: 'gh-app',
      GITHUB_CLIENT_SECRET: 'gh-app-secret',
      GITHUB_URL: github.url,
      ...(oidc
        ? {
            OIDC_ISSUER: oidc.url,
            OIDC_CLIENT_ID: oidc.clientId,
            OIDC_CLIENT_SECRET: oidc.clientSecret,
            OIDC_LABEL: 'Company login',
          }
        : {}),
      ...options.env,
    },
  });
  return {
    gw,
    github,
    upstream,
    oidc,
    issuer,
    origin: (host) => `http://${host}:${port}`,
    async stop() {
      await gw.stop();
      await upstream.close();
      await github.close();
      await oidc?.stop();
    },
  };
}

/**
 * Walks a browser through a login that `start` (a page on a protected host, or /tunnels) leads
 * to: Gatehouse's login page, "Continue with GitHub", the stand-in's consent as `person`, back.
 * Gives the last answer: the page asked for, or the refusal.
 */
export async function logInThroughGithub(
  world: LoginWorld,
  browser: HttpBrowser,
  start: string,
  person: string,
) {
  world.github.currentUser = person;
  world.github.autoApprove = true;
  const loginPage = await browser.navigate(start);
  const link = /href="([^"]*\/start\/github)"/.exec(loginPage.text)?.[1];
  if (!link) return loginPage;
  return browser.navigate(new URL(link.replaceAll('&amp;', '&'), loginPage.url));
}

/**
 * Walks a browser through a login by the OIDC issuer ("Company login") that `start` leads to:
 * Gatehouse's login page, the issuer's login form as `user` (a `sub` of the issuer's people), back.
 */
export async function logInThroughOidc(world: LoginWorld, browser: HttpBrowser, start: string, user: string) {
  const loginPage = await browser.navigate(start);
  const link = /href="([^"]*\/start\/oidc)"/.exec(loginPage.text)?.[1];
  if (!link) return loginPage;
  const issuerPage = await browser.navigate(new URL(link.replaceAll('&amp;', '&'), loginPage.url));
  if (!world.oidc || !issuerPage.url.href.startsWith(world.oidc.url)) return issuerPage;
  const { action } = formFields(issuerPage.text, 'login');
  return browser.navigate(new URL(action, issuerPage.url), { form: { user } });
}
