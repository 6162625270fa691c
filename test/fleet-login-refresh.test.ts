import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { sessionCookieName } from '../src/auth/sessions/session-cookie.ts';
import { manualClock } from '../src/core/clock.ts';
import type { Fetch } from '../src/fleet/api/fleet-api.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { TESLA_ACCOUNTS } from '../src/store/entities.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { logIn, TestBrowser } from './helpers/tesla-login.ts';
import { waitFor } from './helpers/wait-for.ts';

const TESLA_ENV = { TESLA_CLIENT_ID: 'gatehouse-sim-client', TESLA_CLIENT_SECRET: 'gatehouse-sim-secret' };
const ACCESS_TOKEN_MS = 28_800_000;

/** Counts refresh calls and keeps every token Tesla handed out, to look for them in the store. */
function watchTokens() {
  const seen = { refreshes: 0, tokens: new Set<string>() };
  const fleetFetch: Fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input).endsWith('/oauth2/v3/token')) {
      if (String(init?.body).includes('grant_type=refresh_token')) seen.refreshes++;
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { access_token?: string; refresh_token?: string };
      for (const token of [body.access_token, body.refresh_token]) if (token) seen.tokens.add(token);
    }
    return res;
  };
  return { seen, fleetFetch };
}

async function redisDump(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      if (type === 'string') parts.push(key, (await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(key, JSON.stringify(await redis.hgetall(key)));
      else if (type === 'zset') parts.push(key, JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'list') parts.push(key, JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(key, JSON.stringify(await redis.smembers(key)));
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

function seed() {
  return validateSeed({
    ...DEFAULT_SEED_INPUT,
    apps: DEFAULT_SEED_INPUT.apps.map((app) => ({ ...app, require_partner_registration: false })),
  });
}

describe('fleet-login tokens on two nodes sharing Redis', () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  const { seen, fleetFetch } = watchTokens();
  let sim: Simulator;
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;
  const browser = new TestBrowser();

  before(async () => {
    sim = await startSimulator({ clock, seed: seed() });
    redis = await startRedis();
    const env = {
      ...TESLA_ENV,
      TESLA_SIMULATOR: sim.url,
      GATEHOUSE_SECRET_KEY: 'a passphrase both nodes share',
    };
    a = await startTestGateway({ clock, env, flags: { store: redis.url }, fleetFetch });
    b = await startTestGateway({ clock, env, flags: { store: redis.url }, fleetFetch });
    await a.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    await waitFor(
      'the route on node b',
      async () => (await b.send('127.0.0.1', '/tesla/login')).status === 302,
    );
    await logIn(browser, `${a.url}/tesla`);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
    await sim?.stop();
  });

  test('both nodes rebuilding one expired login at once make exactly one refresh, and both succeed', async () => {
    clock.advance(ACCESS_TOKEN_MS + 60_000);
    const before = seen.refreshes;
    const answers = await Promise.all([
      browser.send(`${a.url}/tesla/report.json?refresh=1`),
      browser.send(`${b.url}/tesla/report.json?refresh=1`),
    ]);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200],
      answers.map((r) => r.text).join('\n'),
    );
    assert.equal(seen.refreshes - before, 1);
    for (const answer of answers) assert.equal(JSON.parse(answer.text).vehicles.length, 2);
  });

  test('a token within 5 minutes of expiry is refreshed before use', async () => {
    clock.advance(ACCESS_TOKEN_MS - 4 * 60_000);
    const before = seen.refreshes;
    assert.equal((await browser.send(`${b.url}/tesla/report.json?refresh=1`)).status, 200);
    assert.equal(seen.refreshes - before, 1);
    assert.equal((await browser.send(`${a.url}/tesla/report.json?refresh=1`)).status, 200);
    assert.equal(seen.refreshes - before, 1, 'the fresh token is used as it is');
  });

  test('the store holds no access or refresh token as plain text', async () => {
    assert.ok(seen.tokens.size >= 4, 'tokens were handed out');
    const dump = await redisDump(redis.url);
    assert.match(dump, /teslaaccounts/);
    for (const token of seen.tokens) assert.ok(!dump.includes(token), 'a token is readable in Redis');
  });

  test('a refresh token Tesla refuses as reused ends the session with the log-in-again page', async () => {
    const accounts = a.gateway.store.collection(TESLA_ACCOUNTS);
    const [account] = await accounts.list();
    assert.ok(account);
    clock.advance(ACCESS_TOKEN_MS);
    assert.equal((await browser.send(`${a.url}/tesla/report.json?refresh=1`)).status, 200);
    // The record from before that refresh holds its spent refresh token, as a restored backup would.
    await accounts.replace(account);
    const page = await browser.send(`${b.url}/tesla/report?refresh=1`);
    assert.equal(page.status, 401, page.text);
    assert.match(page.text, /refresh token was used already or has expired\): log in with Tesla again/);
    assert.match(page.text, /href="\/tesla\/login"/);
    assert.match(
      page.headers.getSetCookie().join('\n'),
      new RegExp(`${sessionCookieName(false, '/tesla')}=; .*Max-Age=0`),
    );
    const later = await browser.send(`${a.url}/tesla/report.json`);
    assert.equal(later.status, 401);
    assert.equal(JSON.parse(later.text).error.code, 'FLEET_SESSION_MISSING');
    assert.equal(await accounts.get(account.id), undefined, 'the refused tokens are forgotten');
  });

  test('a node without GATEHOUSE_SECRET_KEY on Redis answers 503 saying to set it', async (t) => {
    const keyless = await startTestGateway({
      clock,
      env: { ...TESLA_ENV, TESLA_SIMULATOR: sim.url },
      flags: { store: redis.url },
    });
    t.after(() => keyless.stop());
    const answer = await waitFor('the route on the keyless node', async () => {
      const res = await keyless.send('127.0.0.1', '/tesla/login');
      return res.status === 503 ? res : undefined;
    });
    assert.match(answer.text, /set GATEHOUSE_SECRET_KEY/);
  });
});

describe('fleet-login tokens in the embedded store', () => {
  test('a generated secret.key (0600) seals them: the SQLite files hold no token as plain text', async (t) => {
    const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
    const { seen, fleetFetch } = watchTokens();
    const sim = await startSimulator({ clock, seed: seed() });
    t.after(() => sim.stop());
    const gw = await startTestGateway({ clock, env: { ...TESLA_ENV, TESLA_SIMULATOR: sim.url }, fleetFetch });
    t.after(() => gw.stop());
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    const browser = new TestBrowser();
    await logIn(browser, `${gw.url}/tesla`);
    clock.advance(ACCESS_TOKEN_MS);
    assert.equal((await browser.send(`${gw.url}/tesla/report.json?refresh=1`)).status, 200);
    assert.equal(statSync(join(gw.dataDir, 'secret.key')).mode & 0o777, 0o600);
    const files = readdirSync(gw.dataDir).filter((f) => f.startsWith('gatehouse.db'));
    const bytes = files.map((f) => readFileSync(join(gw.dataDir, f)).toString('latin1')).join('\n');
    assert.ok(bytes.includes('sealedTokens'), 'the account is in these files, sealed');
    assert.ok(seen.tokens.size >= 4);
    for (const token of seen.tokens)
      assert.ok(!bytes.includes(token), 'a token is readable in the SQLite files');
  });
});
