import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { request } from 'undici';
import {
  authorizeInBrowser,
  CLIENT,
  DRIVER,
  exchangeCode,
  fleet,
  formValue,
  partnerToken,
  pkce,
  postForm,
  REDIRECT_URI,
  startTestSimulator,
  userTokens,
} from './helpers/fleet-simulator.ts';

const sim = await startTestSimulator();
const token = (fields: Record<string, string>) => postForm(`${sim.authBaseUrl}/token`, fields);

describe('client_credentials', () => {
  test('gives a partner token whose audience is the region', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      scope: 'openid vehicle_device_data',
      audience: sim.regionBaseUrl('eu'),
    });
    assert.equal(res.status, 200);
    assert.equal(res.body['token_type'], 'Bearer');
    assert.equal(res.body['expires_in'], 28800);
    assert.equal(res.body['refresh_token'], undefined);
    const claims = decodeJwt(String(res.body['access_token']));
    assert.deepEqual(claims.aud, [sim.regionBaseUrl('eu')]);
    assert.equal(claims['ou_code'], 'EU');
    assert.deepEqual(claims['scp'], ['openid', 'vehicle_device_data']);
    assert.equal(decodeProtectedHeader(String(res.body['access_token'])).alg, 'RS256');
  });

  test('a wrong secret is unauthorized_client (401) in Tesla words', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: 'nope',
      audience: sim.regionBaseUrl('na'),
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, {
      error: 'unauthorized_client',
      error_description: "We don't recognize this client_id and client_secret combination.",
    });
  });

  test('an audience that is no region base URL is invalid_audience', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      audience: 'https://fleet-api.example.com',
    });
    assert.equal(res.status, 400);
    assert.equal(res.body['error'], 'invalid_audience');
  });

  test('JSON bodies are accepted too', async () => {
    const res = await request(`${sim.authBaseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        audience: sim.regionBaseUrl('na'),
      }),
    });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  });
});

describe('authorization_code', () => {
  test('the sign-in pages lead back with code, state and issuer; PKCE is checked', async () => {
    const { verifier, challenge } = pkce();
    const back = await authorizeInBrowser(sim, { challenge });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'state-123');
    assert.equal(back.searchParams.get('issuer'), sim.authBaseUrl);
    const code = back.searchParams.get('code')!;
    assert.match(code, /^NA_[0-9a-f]{64}$/);

    const wrong = await exchangeCode(sim, code, { code_verifier: pkce().verifier });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body['error'], 'invalid_grant');

    const res = await exchangeCode(sim, code, { code_verifier: verifier });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.body['refresh_token']), /^NA_/);
    assert.ok(res.body['id_token'], 'openid gives an id token');
    const claims = decodeJwt(String(res.body['access_token']));
    assert.equal(claims['azp'], CLIENT.id);
    assert.equal(claims['ou_code'], 'NA');
    assert.ok(Array.isArray(claims.aud) && claims.aud.includes(sim.regionBaseUrl('na')));
    assert.ok(claims.aud.includes(`${sim.authBaseUrl}/userinfo`));
    assert.deepEqual(claims['scp'], [
      'openid',
      'offline_access',
      'user_data',
      'vehicle_device_data',
      'vehicle_location',
    ]);
    // Tesla's tools read the payload with the standard base64 alphabet.
    assert.doesNotMatch(String(res.body['access_token']).split('.')[1]!, /[-_]/);
  });

  test('a code used twice is refused and what it issued stops working', async () => {
    const back = await authorizeInBrowser(sim);
    const code = back.searchParams.get('code')!;
    const first = await exchangeCode(sim, code);
    assert.equal(first.status, 200);
    const access = String(first.body['access_token']);
    const vehicles = () => fleet(sim, access, 'GET', '/api/1/users/region');
    assert.equal((await vehicles()).status, 200);

    const again = await exchangeCode(sim, code);
    assert.equal(again.status, 400);
    assert.equal(again.body['error'], 'invalid_auth_code');
    assert.equal((await vehicles()).status, 401);
    const refresh = await token({
      grant_type: 'refresh_token',
      client_id: CLIENT.id,
      refresh_token: String(first.body['refresh_token']),
    });
    assert.equal(refresh.status, 401);
    assert.equal(refresh.body['error'], 'login_required');
  });

  test('a code expires, and redirect_uri must be the authorize one', async () => {
    const late = await authorizeInBrowser(sim);
    const code = late.searchParams.get('code')!;
    assert.equal(
      (await exchangeCode(sim, code, { redirect_uri: 'http://localhost:3000/other' })).status,
      400,
    );
    sim.clock.advance(301_000);
    const res = await exchangeCode(sim, code);
    assert.equal(res.status, 400);
    assert.equal(res.body['error'], 'invalid_auth_code');
  });

  test('declining sends access_denied back with the state', async () => {
    const back = await authorizeInBrowser(sim, { decision: 'deny', state: 'xyz' });
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'xyz');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('a redirect URI outside the allowlist gets a page, never a redirect', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT.id,
      redirect_uri: 'https://attacker.example/callback',
      scope: 'openid',
      state: 's',
    });
    const res = await request(`${sim.authBaseUrl}/authorize?${query}`);
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['location'], undefined);
    assert.match(await res.body.text(), /not among the allowed redirect URIs/);
  });

  test('plain PKCE and a missing state go back to the app as errors', async () => {
    const base = { response_type: 'code', client_id: CLIENT.id, redirect_uri: REDIRECT_URI, scope: 'openid' };
    const plain = await request(
      `${sim.authBaseUrl}/authorize?${new URLSearchParams({ ...base, state: 's', code_challenge: 'abc', code_challenge_method: 'plain' })}`,
    );
    assert.equal(plain.statusCode, 302);
    const location = new URL(String(plain.headers['location']));
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description')!, /S256/);
    assert.equal(location.searchParams.get('state'), 's');
    const stateless = await request(`${sim.authBaseUrl}/authorize?${new URLSearchParams(base)}`);
    assert.equal(stateless.statusCode, 302);
    assert.equal(new URL(String(stateless.headers['location'])).searchParams.get('error'), 'invalid_request');
  });

  test('a wrong password shows the form again; a form token works once', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT.id,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 's',
    });
    const page = await (await request(`${sim.authBaseUrl}/authorize?${query}`)).body.text();
    const fields = {
      request_id: formValue(page, 'request_id'),
      form_token: formValue(page, 'form_token'),
      email: DRIVER.email,
      password: 'wrong',
    };
    const wrong = await postForm(`${sim.url}/oauth2/v3/authorize/login`, fields);
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /not correct/);
    const replay = await postForm(`${sim.url}/oauth2/v3/authorize/login`, {
      ...fields,
      password: DRIVER.password,
    });
    assert.equal(replay.status, 400, 'the used form token is refused');
  });
});

describe('refresh_token', () => {
  test('rotates: each use gives a new one and the old one is login_required', async () => {
    const { refresh } = await userTokens(sim);
    const first = await token({ grant_type: 'refresh_token', client_id: CLIENT.id, refresh_token: refresh });
    assert.equal(first.status, 200);
    const next = String(first.body['refresh_token']);
    assert.notEqual(next, refresh);
    const reused = await token({ grant_type: 'refresh_token', client_id: CLIENT.id, refresh_token: refresh });
    assert.equal(reused.status, 401);
    assert.deepEqual(reused.body, { error: 'login_required', error_description: 'Login required' });
    const second = await token({ grant_type: 'refresh_token', client_id: CLIENT.id, refresh_token: next });
    assert.equal(second.status, 200);
  });

  test('without offline_access there is no refresh token', async () => {
    const { refresh } = await userTokens(sim, { scope: 'openid vehicle_device_data' });
    assert.equal(refresh, '');
  });
});

describe('access tokens', () => {
  test('expire by the clock', async () => {
    const partner = await partnerToken(sim);
    const call = () => fleet(sim, partner, 'GET', '/api/1/partner_accounts/public_key?domain=localhost');
    assert.notEqual((await call()).status, 401);
    sim.clock.advance(28_801_000);
    const res = await call();
    assert.equal(res.status, 401);
    assert.equal(res.body['error'], 'token expired (401)');
    assert.ok(res.headers['x-txid']);
  });

  test('a forged or missing token is invalid bearer token', async () => {
    const partner = await partnerToken(sim);
    const [header, payload] = partner.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    const res = await fleet(sim, forged, 'GET', '/api/1/vehicles');
    assert.equal(res.status, 401);
    assert.equal(res.body['error'], 'invalid bearer token');
    assert.equal(res.body['response'], null);
  });
});
