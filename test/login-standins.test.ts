import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pkceS256, startGithubStandin } from './helpers/github-standin.ts';
import { startGitlabStandin } from './helpers/gitlab-standin.ts';

// The stand-ins answer as the real services document it, so a provider passing against them is
// not passing against a mock that agrees with it.
const CALLBACK = 'http://127.0.0.1:9/cb';

describe('the GitHub stand-in answers as GitHub does', () => {
  const app = { clientId: 'gh-app', clientSecret: 'gh-secret', callbackUrl: CALLBACK };
  let gh: Awaited<ReturnType<typeof startGithubStandin>>;
  before(async () => {
    gh = await startGithubStandin({
      apps: [app],
      users: [
        { id: 1, login: 'alice', emails: [], orgs: [], teams: [] },
        { id: 2, login: 'bob', emails: [], orgs: [], teams: [] },
      ],
    });
    gh.currentUser = 'alice';
  });
  after(() => gh.close());
  const authorize = (params: Record<string, string>) =>
    fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });

  it('shows a 404 page for an unknown client_id', async () => {
    assert.equal((await authorize({ client_id: 'nobody' })).status, 404);
  });

  it('shows a consent page with an Authorize button for the signed-in user', async () => {
    const page = await (await authorize({ client_id: 'gh-app', state: 's' })).text();
    assert.match(page, /<b id="user">alice<\/b>/);
    assert.match(page, /<button type="submit" name="authorize" value="1">Authorize<\/button>/);
  });

  it('auto-approves for the user named by login= when asked to, and refuses plain PKCE', async () => {
    gh.autoApprove = true;
    try {
      const res = await authorize({
        client_id: 'gh-app',
        state: 's',
        login: 'bob',
        code_challenge: pkceS256('v'),
        code_challenge_method: 'S256',
      });
      const back = new URL(res.headers.get('location')!);
      assert.equal(back.origin + back.pathname, CALLBACK);
      assert.equal(back.searchParams.get('state'), 's');
      const form = new URLSearchParams({
        client_id: 'gh-app',
        client_secret: 'gh-secret',
        code: back.searchParams.get('code')!,
        code_verifier: 'v',
      });
      const tokens = (await (
        await fetch(`${gh.url}/login/oauth/access_token`, {
          method: 'POST',
          body: form,
          headers: { accept: 'application/json' },
        })
      ).json()) as { access_token: string };
      const user = (await (
        await fetch(`${gh.apiUrl}/user`, { headers: { authorization: `token ${tokens.access_token}` } })
      ).json()) as { login: string };
      assert.equal(user.login, 'bob');

      const plain = new URL(
        (
          await authorize({
            client_id: 'gh-app',
            state: 's',
            code_challenge: 'v',
            code_challenge_method: 'plain',
          })
        ).headers.get('location')!,
      );
      assert.equal(plain.searchParams.get('error'), 'invalid_request');
    } finally {
      gh.autoApprove = false;
    }
  });

  it('answers token errors with HTTP 200, form-encoded unless JSON is asked for', async () => {
    const form = new URLSearchParams({ client_id: 'gh-app', client_secret: 'wrong', code: 'x' });
    const res = await fetch(`${gh.url}/login/oauth/access_token`, { method: 'POST', body: form });
    assert.equal(res.status, 200);
    assert.equal(new URLSearchParams(await res.text()).get('error'), 'incorrect_client_credentials');
  });

  it('answers the API without a valid token with 401 Bad credentials', async () => {
    const res = await fetch(`${gh.apiUrl}/user`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { message: string }).message, 'Bad credentials');
  });
});

describe('the GitLab stand-in answers as GitLab does', () => {
  const app = {
    clientId: 'gl-app',
    clientSecret: 'gl-secret',
    redirectUris: [CALLBACK],
    scopes: ['openid', 'read_user'],
  };
  let gl: Awaited<ReturnType<typeof startGitlabStandin>>;
  before(async () => {
    gl = await startGitlabStandin({ apps: [app], users: [{ id: 3, username: 'carol', groups: ['g'] }] });
    gl.currentUser = 'carol';
  });
  after(() => gl.close());

  it('shows its own error page for an unknown client, without redirecting', async () => {
    const res = await fetch(
      `${gl.url}/oauth/authorize?client_id=nobody&redirect_uri=${encodeURIComponent(CALLBACK)}`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 401);
    assert.match(await res.text(), /Client authentication failed due to unknown client/);
  });

  it('answers a bad client secret with 401 invalid_client and a bad code with 400 invalid_grant', async () => {
    const post = (form: Record<string, string>) =>
      fetch(`${gl.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(form) });
    const wrongSecret = await post({
      grant_type: 'authorization_code',
      client_id: 'gl-app',
      client_secret: 'x',
      code: 'c',
    });
    assert.equal(wrongSecret.status, 401);
    assert.equal(((await wrongSecret.json()) as { error: string }).error, 'invalid_client');
    const badCode = await post({
      grant_type: 'authorization_code',
      client_id: 'gl-app',
      client_secret: 'gl-secret',
      code: 'c',
      redirect_uri: CALLBACK,
    });
    assert.equal(badCode.status, 400);
    assert.equal(((await badCode.json()) as { error: string }).error, 'invalid_grant');
  });

  it('publishes the key its ID tokens are signed with', async () => {
    const jwks = (await (await fetch(`${gl.url}/oauth/discovery/keys`)).json()) as {
      keys: { kty: string; alg: string }[];
    };
    assert.equal(jwks.keys[0]?.kty, 'RSA');
    assert.equal(jwks.keys[0]?.alg, 'RS256');
  });
});
