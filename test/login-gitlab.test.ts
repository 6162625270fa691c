import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { GitLabProvider } from '../src/auth/upstream/gitlab.ts';
import { manualClock } from '../src/core/clock.ts';
import { GatehouseError } from '../src/core/errors.ts';
import { GITLAB_TOKEN_SECONDS, type GitlabStandin, startGitlabStandin } from './helpers/gitlab-standin.ts';
import type { InjectedAnswer } from './helpers/standin-http.ts';
import { clickThrough, logIn, newAttempt } from './helpers/standin-login.ts';

const SECRET = 'gloas-3c1d5e7f9a0b2c4d6e8f';
const CALLBACK = 'http://127.0.0.1:9/_gatehouse/login/gitlab/callback';
const START = Date.UTC(2026, 0, 5, 12, 0, 0);
const app = {
  clientId: 'a1b2c3d4e5f6gatehouse',
  clientSecret: SECRET,
  redirectUris: [CALLBACK],
  scopes: ['openid', 'read_user'],
};

describe('GitLab login against the GitLab stand-in', () => {
  const clock = manualClock(START);
  let gl: GitlabStandin;
  let provider: GitLabProvider;

  before(async () => {
    gl = await startGitlabStandin({
      apps: [app, { ...app, clientId: 'no-openid-app', scopes: ['read_user'] }],
      now: clock,
    });
    provider = new GitLabProvider(
      { clientId: app.clientId, clientSecret: SECRET, url: gl.url },
      { fetch, clock },
    );
  });
  after(() => gl.close());
  beforeEach(() => {
    clock.set(START);
    gl.users.set('Alice', {
      id: 7,
      username: 'Alice',
      name: 'Alice Liddell',
      email: 'alice@acme.example',
      emailVerified: true,
      groups: ['Acme', 'Acme/Platform', 'oss'],
    });
    gl.currentUser = 'Alice';
  });

  it('logs in with PKCE through the consent page and reads the identity with groups, lower-case', async () => {
    const attempt = newAttempt(CALLBACK);
    const authorize = await provider.authorizationUrl(attempt);
    assert.equal(authorize.origin + authorize.pathname, `${gl.url}/oauth/authorize`);
    assert.equal(authorize.searchParams.get('scope'), 'openid read_user');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('nonce'), attempt.nonce);

    const login = await provider.complete(attempt, await clickThrough(authorize));
    assert.deepEqual(login.identity, {
      provider: 'gitlab',
      subject: '7',
      login: 'alice',
      email: 'alice@acme.example',
      name: 'Alice Liddell',
      orgs: [],
      teams: [],
      groups: ['acme', 'acme/platform', 'oss'],
      claims: {},
    });
    assert.equal(login.grant.expiresAt, START + GITLAB_TOKEN_SECONDS * 1000);
    assert.ok(login.grant.refreshToken);
  });

  it('leaves out an email GitLab has not verified', async () => {
    gl.users.get('Alice')!.emailVerified = false;
    assert.equal((await logIn(provider, CALLBACK)).identity.email, undefined);
  });

  it('reread within the token lifetime reads again with the same token and sees a removed group gone', async () => {
    const first = await logIn(provider, CALLBACK);
    gl.users.get('Alice')!.groups = ['oss'];
    clock.advance(30 * 60_000);
    const again = await provider.reread(first.grant);
    assert.deepEqual(again.identity.groups, ['oss']);
    assert.deepEqual(again.grant, first.grant);
  });

  it('reread after the 2 h token lifetime refreshes first (rotating the refresh token) and sees a removed group gone', async () => {
    const first = await logIn(provider, CALLBACK);
    gl.users.get('Alice')!.groups = ['acme'];
    clock.advance(GITLAB_TOKEN_SECONDS * 1000);
    const again = await provider.reread(first.grant);
    assert.deepEqual(again.identity.groups, ['acme']);
    assert.notEqual(again.grant.accessToken, first.grant.accessToken);
    assert.notEqual(again.grant.refreshToken, first.grant.refreshToken);
    assert.equal(again.grant.expiresAt, clock() + GITLAB_TOKEN_SECONDS * 1000);
    const refreshes = gl.requests.filter((r) => r === 'POST /oauth/token').length;
    assert.ok(refreshes >= 2, 'one code exchange and one refresh');

    // GitLab rotated it: the old refresh token is spent.
    await assert.rejects(provider.reread(first.grant), { code: 'LOGIN_REVOKED' });
  });

  it('reread with a revoked grant throws LOGIN_REVOKED, whether the token is still fresh or must be refreshed', async () => {
    const { grant } = await logIn(provider, CALLBACK);
    gl.revokeTokensOf('Alice');
    await assert.rejects(provider.reread(grant), (e: GatehouseError) => {
      assert.equal(e.code, 'LOGIN_REVOKED');
      assert.match(e.message, /GitLab no longer accepts this login's token \(401 at .*\/api\/v4\/user\)/);
      return true;
    });
    clock.advance(GITLAB_TOKEN_SECONDS * 1000);
    await assert.rejects(provider.reread(grant), (e: GatehouseError) => {
      assert.equal(e.code, 'LOGIN_REVOKED');
      assert.match(
        e.message,
        /GitLab no longer accepts this login \("The provided authorization grant is invalid.*log in again/,
      );
      return true;
    });
  });

  it('GitLab itself refuses an authorize request with a redirect URI not registered exactly', async () => {
    const attempt = newAttempt(`${CALLBACK}/extra`);
    const res = await fetch(await provider.authorizationUrl(attempt), { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /The redirect URI included is not valid/);
  });

  it('keeps the client secret out of JSON and inspection', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(provider)), {
      id: 'gitlab',
      clientId: app.clientId,
      url: gl.url,
    });
    assert.ok(!inspect(provider, { depth: 10, showHidden: true }).includes(SECRET));
  });

  interface Case {
    readonly name: string;
    readonly code: string;
    readonly message: RegExp;
    readonly arrange?: () => GitLabProvider | undefined;
    readonly act?: (p: GitLabProvider) => Promise<unknown>;
  }
  const inject = (path: string, answer: InjectedAnswer) => () => {
    gl.injectNext(path, answer);
    return undefined;
  };
  const build = (clientId: string, clientSecret: string) =>
    new GitLabProvider({ clientId, clientSecret, url: gl.url }, { fetch, clock });
  const cases: Case[] = [
    {
      name: 'a wrong client secret (401 invalid_client)',
      code: 'LOGIN_CLIENT_REJECTED',
      message:
        /GitLab refused the app's client ID a1b2c3d4e5f6gatehouse or its secret \("Client authentication failed.*copy both again from the application's settings at http:\/\/127\.0\.0\.1:\d+\/-\/user_settings\/applications/,
      arrange: () => build(app.clientId, 'wrong-secret-entirely'),
    },
    {
      name: 'a token request with another redirect URI than the authorize request',
      code: 'LOGIN_CODE_INVALID',
      message:
        /GitLab refused the login code \("The provided authorization grant is invalid.*start the login again/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        return p.complete({ ...attempt, redirectUri: 'http://127.0.0.1:9/other' }, callback);
      },
    },
    {
      name: 'a replayed code',
      code: 'LOGIN_CODE_INVALID',
      message: /GitLab refused the login code/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        await p.complete(attempt, callback);
        return p.complete(attempt, callback);
      },
    },
    {
      name: 'a wrong PKCE verifier',
      code: 'LOGIN_CODE_INVALID',
      message: /GitLab refused the login code/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        return p.complete({ ...attempt, codeVerifier: newAttempt(CALLBACK).codeVerifier }, callback);
      },
    },
    {
      name: 'an ID token with another nonce',
      code: 'LOGIN_PROVIDER_INVALID_ANSWER',
      message:
        /GitLab's ID token does not fit this login \(.*its nonce, issuer, audience or times differ\); start the login again/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        const callback = await clickThrough(await p.authorizationUrl(attempt));
        return p.complete({ ...attempt, nonce: 'another-nonce' }, callback);
      },
    },
    {
      name: 'a callback whose state is not this attempt’s',
      code: 'LOGIN_STATE_INVALID',
      message: /the GitLab login callback does not belong to this login attempt/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        return p.complete({ ...attempt, state: 'x' }, await clickThrough(await p.authorizationUrl(attempt)));
      },
    },
    {
      name: 'the user denying access',
      code: 'LOGIN_DECLINED',
      message: /the login at GitLab was declined/,
      act: async (p) => {
        const attempt = newAttempt(CALLBACK);
        return p.complete(attempt, await clickThrough(await p.authorizationUrl(attempt), false));
      },
    },
    {
      name: 'an application not allowed the openid scope',
      code: 'LOGIN_SCOPE_MISSING',
      message: /GitLab refused the scopes "openid read_user".*allow them in the application's settings/,
      arrange: () => build('no-openid-app', SECRET),
    },
    {
      name: 'a rate limit (429, Retry-After)',
      code: 'LOGIN_RATE_LIMITED',
      message: /GitLab is rate-limiting this server \(429 at .*\/api\/v4\/user\); try again in 30 s/,
      arrange: inject('/api/v4/user', { status: 429, headers: { 'retry-after': '30' }, body: 'Retry later' }),
    },
    {
      name: 'a rate-limited token endpoint',
      code: 'LOGIN_RATE_LIMITED',
      message: /GitLab is rate-limiting this server \(429 at .*\/oauth\/token\)/,
      arrange: inject('/oauth/token', { status: 429, headers: { 'retry-after': '30' }, body: 'Retry later' }),
    },
    {
      name: 'an HTML error page from the token endpoint',
      code: 'LOGIN_PROVIDER_UNREACHABLE',
      message: /GitLab answered 503 at .*\/oauth\/token: it is having trouble/,
      arrange: inject('/oauth/token', {
        status: 503,
        headers: { 'content-type': 'text/html' },
        body: '<h1>Deploy in progress</h1>',
      }),
    },
  ];

  for (const c of cases) {
    it(`maps ${c.name} to ${c.code}`, async () => {
      const p = c.arrange?.() ?? provider;
      await assert.rejects(c.act ? c.act(p) : logIn(p, CALLBACK), (e: unknown) => {
        assert.ok(e instanceof GatehouseError, `a GatehouseError, not ${String(e)}`);
        assert.equal(e.code, c.code, e.message);
        assert.match(e.message, c.message);
        assert.ok(!e.message.includes(SECRET) && !JSON.stringify(e).includes(SECRET));
        return true;
      });
    });
  }
});
