import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { GitHubProvider } from '../src/auth/upstream/github.ts';
import { manualClock } from '../src/core/clock.ts';
import { GatehouseError } from '../src/core/errors.ts';
import { statusForCode } from '../src/http/error-status.ts';
import { type GithubStandin, type GithubUser, startGithubStandin } from './helpers/github-standin.ts';
import { warningsNamed } from './helpers/process-warnings.ts';
import type { InjectedAnswer } from './helpers/standin-http.ts';
import { closedPortUrl } from './helpers/standin-http.ts';
import { clickThrough, logIn, newAttempt } from './helpers/standin-login.ts';

const listenerLeaks = warningsNamed('MaxListenersExceededWarning');

const SECRET = 'gh-secret-5f1c9a7e0b2d4c6e8a';
const CALLBACK = 'http://127.0.0.1:9/_gatehouse/login/github/callback';
const app = { clientId: 'Ov23liAcmeGatehouse', clientSecret: SECRET, callbackUrl: CALLBACK };

function octocat(): GithubUser {
  return {
    id: 583231,
    login: 'OctoCat',
    name: 'The Octocat',
    emails: [
      { email: 'old@example.com', primary: false, verified: true },
      { email: 'octocat@github.example', primary: true, verified: true },
    ],
    orgs: ['Acme', 'umbrella'],
    teams: [
      { org: 'Acme', slug: 'Platform' },
      { org: 'umbrella', slug: 'ops' },
    ],
  };
}

describe('GitHub login against the GitHub stand-in', () => {
  const clock = manualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
  let gh: GithubStandin;
  let provider: GitHubProvider;

  before(async () => {
    gh = await startGithubStandin({ apps: [app], now: clock });
    provider = new GitHubProvider(
      { clientId: app.clientId, clientSecret: SECRET, url: gh.url },
      { fetch, clock },
    );
  });
  after(() => gh.close());
  beforeEach(() => {
    clock.set(Date.UTC(2026, 0, 5, 12, 0, 0));
    gh.users.set('OctoCat', octocat());
    gh.currentUser = 'OctoCat';
    gh.autoApprove = false;
  });

  it('logs in through the consent page and reads the identity with orgs and teams, lower-case', async () => {
    assert.equal(provider.apiUrl, `${gh.url}/api/v3`, 'an Enterprise url gives the /api/v3 API by default');
    const attempt = newAttempt(CALLBACK);
    const authorize = await provider.authorizationUrl(attempt);
    assert.equal(authorize.origin + authorize.pathname, `${gh.url}/login/oauth/authorize`);
    assert.equal(authorize.searchParams.get('scope'), 'user:email read:org');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('client_id'), app.clientId);

    const login = await provider.complete(attempt, await clickThrough(authorize));
    assert.deepEqual(login.identity, {
      provider: 'github',
      subject: '583231',
      login: 'octocat',
      email: 'octocat@github.example',
      name: 'The Octocat',
      orgs: ['acme', 'umbrella'],
      teams: ['acme/platform', 'umbrella/ops'],
      groups: [],
      claims: {},
    });
    assert.match(login.grant.accessToken, /^gho_/);
    assert.equal(login.grant.expiresAt, undefined, 'OAuth app tokens do not expire');
  });

  it('leaves out an email that is not verified', async () => {
    gh.users.get('OctoCat')!.emails = [{ email: 'unverified@example.com', primary: true, verified: false }];
    const { identity } = await logIn(provider, CALLBACK);
    assert.equal(identity.email, undefined);
  });

  it('reread after an org membership was removed no longer lists the org or its teams', async () => {
    const first = await logIn(provider, CALLBACK);
    const user = gh.users.get('OctoCat')!;
    user.orgs = ['umbrella'];
    user.teams = user.teams.filter((t) => t.org !== 'Acme');
    const again = await provider.reread(first.grant);
    assert.deepEqual(again.identity.orgs, ['umbrella']);
    assert.deepEqual(again.identity.teams, ['umbrella/ops']);
    assert.equal(again.grant.accessToken, first.grant.accessToken);
  });

  it('reread with a revoked token throws LOGIN_REVOKED', async () => {
    const { grant } = await logIn(provider, CALLBACK);
    gh.revokeTokensOf('OctoCat');
    await assert.rejects(provider.reread(grant), (e: GatehouseError) => {
      assert.equal(e.code, 'LOGIN_REVOKED');
      assert.equal(statusForCode(e.code), 401);
      assert.match(e.message, /GitHub no longer accepts this login's token.*log in again/);
      return true;
    });
  });

  it('follows every page of orgs, and never a next link to another host', async () => {
    gh.users.get('OctoCat')!.orgs = Array.from({ length: 230 }, (_, i) => `Org-${i}`);
    const { identity, grant } = await logIn(provider, CALLBACK);
    assert.equal(identity.orgs.length, 230);
    assert.ok(identity.orgs.includes('org-229'));

    const foreign = '<http://127.0.0.2:1/api/v3/user/orgs?page=2>; rel="next"';
    gh.injectNext('/api/v3/user/orgs', {
      status: 200,
      headers: { 'content-type': 'application/json', link: foreign },
      body: '[{"login":"Only"}]',
    });
    const again = await provider.reread(grant);
    assert.deepEqual(again.identity.orgs, ['only']);
  });

  it('keeps the client secret out of JSON, inspection and every error message', async () => {
    assert.ok(!JSON.stringify(provider).includes(SECRET));
    assert.ok(!inspect(provider, { depth: 10, showHidden: true }).includes(SECRET));
    assert.deepEqual(JSON.parse(JSON.stringify(provider)), {
      id: 'github',
      clientId: app.clientId,
      url: gh.url,
      apiUrl: `${gh.url}/api/v3`,
    });
  });

  interface Case {
    readonly name: string;
    readonly code: string;
    readonly message: RegExp;
    /** Changes the world before the login; returns the provider to use (default: the right one). */
    readonly arrange?: () => GitHubProvider | undefined | Promise<GitHubProvider | undefined>;
    /** Acts out the login; default: the whole flow approved. */
    readonly act?: (p: GitHubProvider) => Promise<unknown>;
  }
  const inject = (path: string, answer: InjectedAnswer) => () => {
    gh.injectNext(path, answer);
    return undefined;
  };
  const withSecret = (clientSecret: string, extra: object = {}) =>
    new GitHubProvider({ clientId: app.clientId, clientSecret, url: gh.url }, { fetch, clock, ...extra });
  const cases: Case[] = [
    {
      name: 'a wrong client secret',
      code: 'LOGIN_CLIENT_REJECTED',
      message:
        /GitHub refused the app's client ID Ov23liAcmeGatehouse or its secret.*copy both again from the OAuth app's settings at http:\/\/127\.0\.0\.1:\d+\/settings\/developers/,
      arrange: () => withSecret('not-the-secret-at-all'),
    },
    {
      name: 'a redirect_uri outside the callback URL',
      code: 'LOGIN_REDIRECT_MISMATCH',
      message:
        /GitHub says the redirect_uri is not the app's callback URL.*: set the callback URL in the OAuth app's settings at .* to http:\/\/127\.0\.0\.1:9\/elsewhere\/callback$/,
      act: async (p) => {
        const attempt = newAttempt('http://127.0.0.1:9/elsewhere/callback');
        return p.complete(attempt, await clickThrough(await p.authorizationUrl(attempt)));
      },
    },
    {
      name: 'a replayed code (bad_verification_code)',
      code: 'LOGIN_CODE_INVALID',
      message:
        /GitHub refused the login code \("The code passed is incorrect or expired\."\).*start the login again/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        await p.complete(attempt, callback);
        return p.complete(attempt, callback);
      },
    },
    {
      name: 'a code that expired',
      code: 'LOGIN_CODE_INVALID',
      message: /GitHub refused the login code/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        clock.advance(11 * 60_000);
        return p.complete(attempt, callback);
      },
    },
    {
      name: 'a wrong PKCE verifier',
      code: 'LOGIN_CODE_INVALID',
      message: /GitHub refused the login code/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        return p.complete({ ...attempt, codeVerifier: newAttempt(CALLBACK).codeVerifier }, callback);
      },
    },
    {
      name: 'a callback whose state is not this attempt’s',
      code: 'LOGIN_STATE_INVALID',
      message: /the GitHub login callback does not belong to this login attempt.*start the login again/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        return p.complete({ ...attempt, state: 'another-attempt' }, callback);
      },
    },
    {
      name: 'the user pressing Cancel',
      code: 'LOGIN_DECLINED',
      message: /the login at GitHub was declined \("The user has denied your application access\."\)/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        return p.complete(attempt, await clickThrough(await p.authorizationUrl(attempt), false));
      },
    },
    {
      name: 'the primary rate limit (403, x-ratelimit-remaining: 0)',
      code: 'LOGIN_RATE_LIMITED',
      message:
        /GitHub is rate-limiting this server \(403 at .*\/api\/v3\/user\); try again in 600 s \(after 12:10:00 UTC\)/,
      arrange: inject('/api/v3/user', {
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Date.UTC(2026, 0, 5, 12, 10, 0) / 1000),
        },
        body: '{"message":"API rate limit exceeded for user ID 583231."}',
      }),
    },
    {
      name: 'a secondary rate limit (429, retry-after)',
      code: 'LOGIN_RATE_LIMITED',
      message: /try again in 60 s/,
      arrange: inject('/api/v3/user/teams', {
        status: 429,
        headers: { 'retry-after': '60' },
        body: '{"message":"You have exceeded a secondary rate limit."}',
      }),
    },
    {
      name: 'a token without read:org (403)',
      code: 'LOGIN_SCOPE_MISSING',
      message:
        /GitHub refused .*\/user\/orgs \(403\): the token lacks a scope it needs; the app asks for "user:email read:org"/,
      arrange: inject('/api/v3/user/orgs', {
        status: 403,
        body: '{"message":"You need at least read:org scope"}',
      }),
    },
    {
      name: 'GitHub failing (502)',
      code: 'LOGIN_PROVIDER_UNREACHABLE',
      message: /GitHub answered 502 at .*\/api\/v3\/user: it is having trouble; try again later/,
      arrange: inject('/api/v3/user', { status: 502, body: '<html>Unicorn!</html>' }),
    },
    {
      name: 'an answer larger than the limit',
      code: 'LOGIN_PROVIDER_INVALID_ANSWER',
      message: /GitHub answered .*\/api\/v3\/user\/emails with more than 1048576 bytes/,
      arrange: inject('/api/v3/user/emails', { bytes: 2 * 1024 * 1024 }),
    },
    {
      name: 'a token endpoint that does not answer in time',
      code: 'LOGIN_PROVIDER_TIMEOUT',
      message: /GitHub did not answer .*\/login\/oauth\/access_token within 0.2 s; check that it is up/,
      arrange: () => {
        gh.injectNext('/login/oauth/access_token', { stall: true });
        return withSecret(SECRET, { limits: { timeoutMs: 200 } });
      },
    },
    {
      name: 'a GitHub URL where nothing listens',
      code: 'LOGIN_PROVIDER_UNREACHABLE',
      message:
        /GitHub could not be reached at http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/access_token \(ECONNREFUSED\); check its URL/,
      act: async () => {
        const p = new GitHubProvider(
          { clientId: app.clientId, clientSecret: SECRET, url: await closedPortUrl() },
          { fetch, clock },
        );
        const attempt = newAttempt(CALLBACK);
        const callback = new URL(CALLBACK);
        callback.search = new URLSearchParams({ code: 'x', state: attempt.state }).toString();
        return p.complete(attempt, callback);
      },
    },
  ];

  for (const c of cases) {
    it(`maps ${c.name} to ${c.code}`, async () => {
      const p = (await c.arrange?.()) ?? provider;
      const run = c.act ? c.act(p) : logIn(p, CALLBACK);
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof GatehouseError, `a GatehouseError, not ${String(e)}`);
        assert.equal(e.code, c.code, e.message);
        assert.match(e.message, c.message);
        assert.ok(!e.message.includes(SECRET) && !JSON.stringify(e).includes(SECRET));
        return true;
      });
    });
  }

  // The flood of bytes waits for 'drain' once per chunk; a listener left behind each time warns.
  it('left no listener behind on the stand-in or the client: no MaxListenersExceededWarning', () => {
    assert.deepEqual(listenerLeaks, []);
  });
});
