import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createAuthApp } from '../src/simulator/auth-app.ts';
import { SESSION_COOKIE } from '../src/simulator/sessions.ts';
import { firstForm } from './helpers/html-forms.ts';
import { cookieFrom, SIM_ORIGIN, simulatorParts } from './helpers/simulator-parts.ts';

// The simulated auth.tesla.com, called with app.request(): no socket. test/fleet-simulator-oauth
// .test.ts walks the same pages through a listening simulator.

const CLIENT = { client_id: 'gatehouse-sim-client', client_secret: 'gatehouse-sim-secret' };
const REDIRECT = 'http://localhost:3000/callback';
const VERIFIER = 'a-code-verifier-of-forty-three-characters-at-least';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const AUTHORIZE = {
  client_id: CLIENT.client_id,
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid offline_access vehicle_device_data',
  state: 'st-1',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

/** The auth app over a fresh world. */
async function authApp() {
  const parts = await simulatorParts();
  const app = createAuthApp(parts);
  const authorize = (params: Record<string, string | undefined>, cookie?: string) => {
    const query = new URLSearchParams(
      Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return app.request(`${SIM_ORIGIN}/oauth2/v3/authorize?${query}`, cookie ? { headers: { cookie } } : {});
  };
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    app.request(`${SIM_ORIGIN}${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
  const token = async (body: Record<string, string> | string, type = 'application/x-www-form-urlencoded') => {
    const res = await app.request(`${SIM_ORIGIN}/oauth2/v3/token`, {
      method: 'POST',
      body: typeof body === 'string' ? body : new URLSearchParams(body),
      headers: { 'content-type': type },
    });
    // biome-ignore lint/suspicious/noExplicitAny: token answers and OAuth errors, pinned down by the assertions
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  /** Signs in as the default driver and answers the consent page: the redirect back to the app. */
  const consent = async (decision: 'allow' | 'deny', params = AUTHORIZE) => {
    const login = firstForm(await (await authorize(params)).text());
    const signedIn = await post(login.action, {
      ...login.fields,
      email: 'driver@example.com',
      password: 'tesla',
    });
    assert.equal(signedIn.status, 200);
    const session = cookieFrom(signedIn, SESSION_COOKIE);
    const page = firstForm(await signedIn.text());
    const back = await post(page.action, { ...page.fields, decision }, session);
    assert.equal(back.status, 302);
    return { location: new URL(back.headers.get('location')!), session };
  };
  /** A code for the default driver, through the pages. */
  const code = async () => (await consent('allow')).location.searchParams.get('code')!;
  return { ...parts, authorize, post, token, consent, code };
}

describe('simulator auth app: the authorize pages', () => {
  test('sign in, allow: back to the app with a code, the state and the issuer', async () => {
    const { consent, urls } = await authApp();
    const { location } = await consent('allow');
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.match(location.searchParams.get('code')!, /^NA_[0-9a-f]{64}$/);
    assert.equal(location.searchParams.get('state'), 'st-1');
    assert.equal(location.searchParams.get('issuer'), urls.authBaseUrl);
    assert.equal(location.searchParams.get('locale'), 'en-US');
  });

  test('deny: back to the app with access_denied and no code', async () => {
    const { consent } = await authApp();
    const { location } = await consent('deny');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('code'), null);
  });

  test('a signed-in browser goes straight to consent, unless prompt=login', async () => {
    const { consent, authorize } = await authApp();
    const { session } = await consent('allow');
    assert.match(await (await authorize(AUTHORIZE, session)).text(), /<h1>Allow /);
    assert.match(await (await authorize({ ...AUTHORIZE, prompt: 'login' }, session)).text(), /<h1>Sign in</);
  });

  test('a wrong password: 401 and the form again; a used form: sign-in expired', async () => {
    const { authorize, post } = await authApp();
    const login = firstForm(await (await authorize(AUTHORIZE)).text());
    const wrong = await post(login.action, { ...login.fields, email: 'driver@example.com', password: 'x' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /The email or password is not correct/);
    const again = await post(login.action, {
      ...login.fields,
      email: 'driver@example.com',
      password: 'tesla',
    });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Sign-in expired/);
  });

  test('consent without the session it was shown to: sign-in expired', async () => {
    const { authorize, post } = await authApp();
    const login = firstForm(await (await authorize(AUTHORIZE)).text());
    const signedIn = await post(login.action, {
      ...login.fields,
      email: 'driver@example.com',
      password: 'tesla',
    });
    const page = firstForm(await signedIn.text());
    const res = await post(page.action, { ...page.fields, decision: 'allow' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Sign-in expired/);
  });

  // A bad client or redirect URI stays on Tesla's page; everything else goes back to the app.
  const pages: [name: string, params: Record<string, string | undefined>, title: string][] = [
    ['an unknown client', { ...AUTHORIZE, client_id: 'nobody' }, 'Unknown application'],
    ['no client', { ...AUTHORIZE, client_id: undefined }, 'Unknown application'],
    ['an unregistered redirect URI', { ...AUTHORIZE, redirect_uri: 'https://x.example/' }, 'Redirect URI'],
    ['a redirect URI with a fragment', { ...AUTHORIZE, redirect_uri: `${REDIRECT}#x` }, 'Redirect URI'],
  ];
  for (const [name, params, title] of pages) {
    test(`${name}: 400, and the browser stays here`, async () => {
      const res = await (await authApp()).authorize(params);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), new RegExp(`<h1>${title}`));
    });
  }
  const backToApp: [name: string, params: Record<string, string | undefined>, error: string][] = [
    ['no state', { ...AUTHORIZE, state: undefined }, 'invalid_request'],
    ['response_type token', { ...AUTHORIZE, response_type: 'token' }, 'unsupported_response_type'],
    ['a scope Tesla does not have', { ...AUTHORIZE, scope: 'openid admin' }, 'invalid_scope'],
    ['a plain code challenge', { ...AUTHORIZE, code_challenge_method: 'plain' }, 'invalid_request'],
    ['a method without a challenge', { ...AUTHORIZE, code_challenge: undefined }, 'invalid_request'],
  ];
  for (const [name, params, error] of backToApp) {
    test(`${name}: back to the app with ${error}`, async () => {
      const res = await (await authApp()).authorize(params);
      assert.equal(res.status, 302);
      const location = new URL(res.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
      assert.equal(location.searchParams.get('error'), error);
      assert.ok(location.searchParams.get('error_description'));
      assert.equal(location.searchParams.get('state'), params['state'] ?? null);
    });
  }
});

describe('simulator auth app: the token endpoint', () => {
  test('a code, with its verifier, for tokens; a second use revokes what the first gave', async () => {
    const { token, code, tokens } = await authApp();
    const grant = {
      ...CLIENT,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    };
    const issued = await code();
    const first = await token({ ...grant, code: issued });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(first.body).sort(), [
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'token_type',
    ]);
    const principal = await tokens.verify(first.body.access_token);
    assert.equal(principal.kind, 'user');
    assert.deepEqual(principal.scopes, ['openid', 'offline_access', 'vehicle_device_data']);
    const other = (await token({ ...grant, code: await code() })).body;

    const replayed = await token({ ...grant, code: issued });
    assert.equal(replayed.status, 400);
    assert.equal(replayed.body.error, 'invalid_auth_code');
    await assert.rejects(tokens.verify(first.body.access_token), { code: 'SIM_TOKEN_INVALID' });
    const refresh = { grant_type: 'refresh_token', client_id: CLIENT.client_id };
    const revoked = await token({ ...refresh, refresh_token: first.body.refresh_token });
    assert.equal(revoked.body.error, 'login_required');
    // Another code's tokens are untouched.
    assert.equal((await tokens.verify(other.access_token)).kind, 'user');
  });

  test('a refresh token works once and gives its successor; JSON bodies work as forms do', async () => {
    const { token, code } = await authApp();
    const grant = {
      ...CLIENT,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    };
    const { refresh_token } = (await token({ ...grant, code: await code() })).body;
    const refresh = { grant_type: 'refresh_token', client_id: CLIENT.client_id, refresh_token };
    const next = await token(JSON.stringify(refresh), 'application/json');
    assert.equal(next.status, 200);
    assert.notEqual(next.body.refresh_token, refresh_token);
    const reused = await token(refresh);
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error, 'login_required');
  });

  test('client credentials: a partner token for one region', async () => {
    const { token, tokens, urls } = await authApp();
    const res = await token({
      ...CLIENT,
      grant_type: 'client_credentials',
      audience: urls.regionBaseUrl('eu'),
      scope: 'openid vehicle_device_data',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_token, undefined);
    const principal = await tokens.verify(res.body.access_token);
    assert.equal(principal.kind, 'partner');
    assert.deepEqual(principal.audience, [urls.regionBaseUrl('eu')]);
  });

  const partner = { ...CLIENT, grant_type: 'client_credentials', audience: `${SIM_ORIGIN}/na` };
  const CODE = 'authorization_code';
  const REFRESH = { grant_type: 'refresh_token', client_id: CLIENT.client_id };
  // [what is wrong, body, the answer: status and OAuth error]
  const cases: [name: string, body: Record<string, string> | string, answer: string][] = [
    ['an empty body', {}, '400 invalid_request'],
    ['a text/plain body', 'grant_type=client_credentials', '400 invalid_request'],
    ['a grant Tesla does not have', { ...partner, grant_type: 'password' }, '400 unsupported_grant_type'],
    ['a wrong client secret', { ...partner, client_secret: 'guess' }, '401 unauthorized_client'],
    ['an unknown client', { ...partner, client_id: 'nobody' }, '401 unauthorized_client'],
    ['no audience', { ...partner, audience: '' }, '400 invalid_request'],
    ['an audience of no region', { ...partner, audience: 'https://x.example' }, '400 invalid_audience'],
    ['a scope Tesla does not have', { ...partner, scope: 'admin' }, '400 invalid_scope'],
    ['no code', { ...CLIENT, grant_type: CODE }, '400 invalid_request'],
    ['a code never issued', { ...CLIENT, grant_type: CODE, code: 'NA_00' }, '400 invalid_auth_code'],
    ['a refresh token never issued', { ...REFRESH, refresh_token: 'x' }, '401 login_required'],
    ['a refresh for an unknown client', { ...REFRESH, client_id: 'nobody' }, '400 invalid_client_id'],
  ];
  for (const [name, body, answer] of cases) {
    test(`${name}: ${answer}`, async () => {
      const { token } = await authApp();
      const res = await token(body, typeof body === 'string' ? 'text/plain' : undefined);
      const [status, error] = answer.split(' ');
      assert.equal(res.status, Number(status));
      assert.equal(res.body.error, error);
      assert.equal(typeof res.body.error_description, 'string');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });
  }

  test('a code with a wrong verifier or another redirect URI is refused', async () => {
    const { token, code } = await authApp();
    const grant = {
      ...CLIENT,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    };
    const wrongVerifier = await token({ ...grant, code: await code(), code_verifier: 'not-it' });
    assert.equal(wrongVerifier.body.error, 'invalid_grant');
    const elsewhere = await token({
      ...grant,
      code: await code(),
      redirect_uri: 'http://localhost:3000/other',
    });
    assert.equal(elsewhere.body.error, 'invalid_redirect_url');
  });

  test('a code expires after its lifetime', async () => {
    const { token, code, clock, world } = await authApp();
    const issued = await code();
    clock.advance(world.seed.token_lifetimes.auth_code_seconds * 1000);
    const grant = {
      ...CLIENT,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    };
    const res = await token({ ...grant, code: issued });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_auth_code');
  });
});
