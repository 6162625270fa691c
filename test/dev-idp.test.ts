import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as client from 'openid-client';
import { GatehouseError } from '../src/core/errors.ts';
import { type DevIdp, startDevIdp } from '../src/dev-idp/dev-idp.ts';
import { DEFAULT_PEOPLE, peopleBySub } from '../src/dev-idp/people.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { formFields } from './helpers/html-forms.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

/** Gatehouse's callback as `npm start` has it; never contacted (the browser stops there). */
const REDIRECT = 'http://localhost:8080/login/callback/oidc';
const insecure = { execute: [client.allowInsecureRequests] };

async function start(
  t: test.TestContext,
  { dataDir = ':memory:', people = peopleBySub(DEFAULT_PEOPLE) } = {},
): Promise<DevIdp> {
  const idp = await startDevIdp({ host: '127.0.0.1', port: 0, people, redirectUris: [REDIRECT], dataDir });
  t.after(() => idp.stop());
  return idp;
}

const configOf = (idp: Pick<DevIdp, 'url' | 'clientId' | 'clientSecret'>) =>
  client.discovery(
    new URL(idp.url),
    idp.clientId,
    undefined,
    client.ClientSecretBasic(idp.clientSecret),
    insecure,
  );

/** An authorization request as Gatehouse makes one: code, PKCE S256, state, nonce, offline_access. */
async function authorization(config: client.Configuration, redirectUri = REDIRECT) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    prompt: 'consent',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { url, verifier, state, nonce };
}

/** The person at the browser: the login page, a pick (or a refusal), back to the redirect URI. */
async function pick(url: URL, choice: { user: string } | 'refuse', redirectUri = REDIRECT) {
  const browser = new HttpBrowser();
  const stop = (next: URL) => next.href.startsWith(redirectUri);
  const page = await browser.navigate(url, { stop });
  assert.equal(page.status, 200, page.text);
  const { action } = formFields(page.text, choice === 'refuse' ? 'refuse' : 'login');
  const back = await browser.navigate(new URL(action, page.url), {
    form: choice === 'refuse' ? {} : choice,
    stop,
  });
  return { page, back: back.url };
}

/** A whole login as `sub`: the tokens, as a client gets them. */
async function logIn(idp: DevIdp, sub: string) {
  const config = await configOf(idp);
  const request = await authorization(config);
  const { page, back } = await pick(request.url, { user: sub });
  const tokens = await client.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  return { config, tokens, page };
}

describe('gatehouse dev-idp, the stand-in OpenID Connect issuer', () => {
  test('discovery: its issuer, code with S256 only, ES256 ID tokens, its people; its own page says what it is', async (t) => {
    const idp = await start(t);
    const metadata = (await configOf(idp)).serverMetadata();
    assert.equal(metadata.issuer, idp.url);
    assert.match(idp.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['ES256']);
    for (const claim of ['sub', 'preferred_username', 'name', 'email', 'email_verified', 'groups'])
      assert.ok(metadata.claims_supported?.includes(claim), claim);
    assert.ok(metadata.scopes_supported?.includes('offline_access'));
    const home = await new HttpBrowser().send(`${idp.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.text, /For development only/);
    assert.ok(home.text.includes(`${idp.url}/.well-known/openid-configuration`));
    for (const person of DEFAULT_PEOPLE) assert.ok(home.text.includes(person.sub), person.sub);
  });

  test('code + PKCE as the person picked: ID token and userinfo carry their claims, refresh works', async (t) => {
    const idp = await start(t);
    const { config, tokens, page } = await logIn(idp, 'u-bob');
    assert.match(
      page.text,
      /For development only: this stand-in login \(gatehouse dev-idp\) has no passwords/,
    );
    for (const person of DEFAULT_PEOPLE) assert.ok(page.text.includes(`value="${person.sub}"`), person.sub);
    assert.equal(tokens.claims()?.sub, 'u-bob');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'u-bob');
    assert.deepEqual(
      { ...userinfo },
      {
        sub: 'u-bob',
        preferred_username: 'bob',
        name: 'Bob Example',
        email: 'bob@example.com',
        email_verified: true,
        groups: ['staff'],
      },
    );
    assert.ok(tokens.refresh_token, 'offline_access brings a refresh token');
    const renewed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.equal(renewed.claims()?.sub, 'u-bob');
  });

  test('an unverified email is sent as unverified', async (t) => {
    const idp = await start(t);
    const { config, tokens } = await logIn(idp, 'u-carol');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'u-carol');
    assert.equal(userinfo.email, 'carol@example.org');
    assert.equal(userinfo.email_verified, false);
  });

  test('any port on loopback, as RFC 8252 allows; another path is refused with no redirect', async (t) => {
    const idp = await start(t);
    const config = await configOf(idp);
    const otherPort = 'http://localhost:39123/login/callback/oidc';
    const { back } = await pick((await authorization(config, otherPort)).url, { user: 'u-alice' }, otherPort);
    assert.ok(back.searchParams.get('code'), `a code for port 39123: ${back.href}`);
    const elsewhere = await new HttpBrowser().send(
      (await authorization(config, 'http://localhost:8080/elsewhere')).url,
    );
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.headers['location'], undefined);
    assert.match(elsewhere.text, /redirect_uri/);
  });

  test('refusing, or a sub it does not know, sends access_denied back', async (t) => {
    const idp = await start(t);
    const config = await configOf(idp);
    for (const choice of ['refuse', { user: 'u-nobody' }] as const) {
      const { back } = await pick((await authorization(config)).url, choice);
      assert.equal(back.searchParams.get('error'), 'access_denied', back.href);
      assert.equal(back.searchParams.get('code'), null);
    }
  });

  test('revoking a person ends their logins: the refresh token is refused', async (t) => {
    const idp = await start(t);
    const { config, tokens } = await logIn(idp, 'u-alice');
    assert.equal(await idp.revoke('u-alice'), 1);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), { error: 'invalid_grant' });
  });

  test('someone taken out of its people loses their logins: userinfo and refresh are refused', async (t) => {
    const people = peopleBySub(DEFAULT_PEOPLE);
    const idp = await start(t, { people });
    const { config, tokens } = await logIn(idp, 'u-bob');
    people.delete('u-bob');
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, 'u-bob'), { status: 401 });
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), { error: 'invalid_grant' });
  });

  test('a restart on the same data keeps its signing key and the logins it gave', async (t) => {
    const data = tempDir('gatehouse-dev-idp-');
    const first = await start(t, { dataDir: data });
    const { tokens } = await logIn(first, 'u-alice');
    const kid = async (idp: DevIdp) =>
      ((await (await fetch(`${idp.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await kid(first);
    await first.stop();
    const again = await start(t, { dataDir: data });
    assert.deepEqual(await kid(again), before);
    const renewed = await client.refreshTokenGrant(await configOf(again), tokens.refresh_token!);
    assert.equal(renewed.claims()?.sub, 'u-alice');
  });

  test('it refuses to listen beyond loopback unless allowed; localhost is loopback', async (t) => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10'])
      await assert.rejects(
        startDevIdp({ host, port: 0, people: new Map(), redirectUris: [REDIRECT], dataDir: ':memory:' }),
        (error: unknown) =>
          error instanceof GatehouseError &&
          error.code === 'DEV_IDP_NOT_LOOPBACK' &&
          error.message.includes(`${host} is not a loopback address`),
      );
    const local = await startDevIdp({
      host: 'localhost',
      port: 0,
      people: new Map(),
      redirectUris: [REDIRECT],
      dataDir: ':memory:',
    });
    t.after(() => local.stop());
    assert.match(local.url, /^http:\/\/localhost:\d+$/);
  });
});

describe('gatehouse dev-idp, the command', () => {
  test('prints what to give gatehouse serve and the people, logs people in, warns of nothing else', async (t) => {
    const cli = spawnCli(['dev-idp', '--port', '0', '--data', tempDir('gatehouse-dev-idp-')]);
    t.after(() => cli.stop());
    const banner = await waitFor('the banner', () => (/^People/m.test(cli.stderr()) ? cli.stderr() : ''), {
      detail: () => cli.stderr(),
    });
    const url = /^Stand-in OpenID Connect issuer at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(banner)?.[1];
    assert.ok(url, banner);
    assert.match(banner, /^WARNING: For development only/m);
    for (const line of [
      `  export GATEHOUSE_OIDC_ISSUER=${url}`,
      '  export GATEHOUSE_OIDC_CLIENT_ID=gatehouse',
      '  export GATEHOUSE_OIDC_CLIENT_SECRET=dev-idp-secret',
      `It sends people back only to ${REDIRECT} (any port).`,
    ])
      assert.ok(banner.split('\n').includes(line), `the banner says: ${line}\n${banner}`);
    assert.match(banner, /^ {2}u-alice +alice +Alice Example +alice@example\.com +staff,admins$/m);
    assert.match(banner, /^ {2}u-carol +carol +Carol Example +carol@example\.org \(not verified\)$/m);

    const { config, tokens } = await logIn(
      { url, clientId: 'gatehouse', clientSecret: 'dev-idp-secret' } as DevIdp,
      'u-alice',
    );
    assert.equal(tokens.claims()?.sub, 'u-alice');
    await client.fetchUserInfo(config, tokens.access_token, 'u-alice');
    await waitFor('the login noted', () => cli.stderr().includes('Logged in u-alice (alice) for gatehouse.'));
    const output = cli.stdout() + cli.stderr();
    assert.doesNotMatch(output, /oidc-provider (WARNING|NOTICE)/, 'no development-only defaults left');
    assert.equal(await cli.stop(), 0);
  });

  const refused: readonly { name: string; args: (dir: string) => string[]; says: RegExp }[] = [
    {
      name: 'an address beyond loopback',
      args: () => ['--host', '0.0.0.0'],
      says: /gatehouse: 0\.0\.0\.0 is not a loopback address: .*--allow-remote/,
    },
    {
      name: 'a people file with a mistake, named with the entry and field',
      args: (dir) => {
        const file = join(dir, 'team.yaml');
        writeFileSync(
          file,
          'people:\n  - sub: u-dana\n    preferred_username: dana\n    email: not-an-email\n',
        );
        return ['--people', file];
      },
      says: /gatehouse: --people \S+team\.yaml is not a valid people file:\n {2}people\.0\.email: must be an email address/,
    },
    {
      name: 'a people file that is not there',
      args: (dir) => ['--people', join(dir, 'missing.yaml')],
      says: /gatehouse: --people \S+missing\.yaml: cannot read it \(ENOENT\)/,
    },
  ];
  for (const { name, args, says } of refused) {
    test(`refuses ${name}, saying what to fix (exit 2)`, async (t) => {
      const dir = tempDir('gatehouse-dev-idp-');
      const cli = spawnCli(['dev-idp', '--port', '0', '--data', join(dir, 'data'), ...args(dir)]);
      t.after(() => cli.stop());
      const [code] = (await once(cli.child, 'exit')) as [number];
      assert.equal(code, 2, cli.stderr());
      assert.match(cli.stderr(), says);
    });
  }
});
