import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAnonymousWrite } from '../src/auth/server/gateway-auth.ts';
import { StoreAdapter, UNUSED_CLIENT_MS } from '../src/auth/server/store-adapter.ts';
import { manualClock } from '../src/core/clock.ts';
import { AnonymousWrites } from '../src/http/anonymous-writes.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/redis.ts';

describe('anonymous writes are rate limited', () => {
  test('one address gets its allowance, then waits; others are not held back by it', () => {
    const clock = manualClock();
    const limits = { perClient: { writes: 3, perMs: 60_000 }, global: { writes: 5, perMs: 60_000 } };
    const writes = new AnonymousWrites(clock, limits);
    assert.deepEqual(
      [1, 2, 3].map(() => writes.take('a').ok),
      [true, true, true],
    );
    assert.deepEqual(writes.take('a'), { ok: false, scope: 'client', retryAfterSeconds: 20 });
    assert.equal(writes.take('b').ok, true);
    clock.advance(20_000);
    assert.equal(writes.take('a').ok, true, 'one write back after its share of the window');
  });

  test('many addresses together meet the node-wide allowance', () => {
    const clock = manualClock();
    const writes = new AnonymousWrites(clock, {
      perClient: { writes: 10, perMs: 60_000 },
      global: { writes: 4, perMs: 60_000 },
    });
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((c) => writes.take(c).ok),
      [true, true, true, true],
    );
    const refused = writes.take('e');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.scope, 'global');
  });

  const endpoints: [method: string, path: string, writes: boolean][] = [
    ['POST', '/oauth/register', true],
    ['GET', '/oauth/authorize', true],
    ['POST', '/oauth/authorize', true],
    ['POST', '/oauth/device/auth', true],
    ['POST', '/oauth/par', true],
    ['GET', '/login/interaction/abc/start/github', true],
    ['GET', '/oauth/register', false],
    ['POST', '/oauth/token', false],
    ['GET', '/oauth/jwks', false],
    ['GET', '/login/interaction/abc', false],
    ['GET', '/.well-known/oauth-authorization-server', false],
  ];
  for (const [method, path, writes] of endpoints)
    test(`${method} ${path}: ${writes ? 'limited' : 'not limited'}`, () =>
      assert.equal(isAnonymousWrite(method, path), writes));
});

describe('registered clients nobody uses expire', () => {
  test('a client without grants is gone after the unused period; a grant keeps it', async () => {
    const clock = manualClock();
    const store = SqliteStore.open(':memory:', clock);
    const noReplay = async (): Promise<never> => assert.fail('no consume here');
    const clients = new StoreAdapter('Client', store.ephemeral, clock, noReplay);
    const grants = new StoreAdapter('Grant', store.ephemeral, clock, noReplay);
    try {
      await clients.upsert('unused', { client_id: 'unused' });
      await clients.upsert('used', { client_id: 'used' });
      clock.advance(UNUSED_CLIENT_MS - 1_000);
      await grants.upsert('g1', { clientId: 'used', accountId: 'a' }, 14 * 86_400);
      clock.advance(2_000);
      assert.equal(await clients.find('unused'), undefined);
      assert.deepEqual(await clients.find('used'), { client_id: 'used' });
      clock.advance(14 * 86_400_000 + UNUSED_CLIENT_MS - 10_000);
      assert.deepEqual(
        await clients.find('used'),
        { client_id: 'used' },
        'kept while its grant lasts, and after',
      );
      clock.advance(20_000);
      assert.equal(await clients.find('used'), undefined);
    } finally {
      await store.close();
    }
  });
});

describe('open registration from one address meets its limit', () => {
  let gw: TestGateway;
  let issuer: string;
  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    gw = await startTestGateway({ flags: { port: String(port), 'auth-host': '127.0.0.1' } });
  });
  after(() => gw.stop());

  test('past 60 registrations a minute the answer is 429 with Retry-After, naming what to do', async () => {
    const register = () =>
      fetch(`${issuer}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1:1/cb'],
          token_endpoint_auth_method: 'none',
        }),
      });
    // The allowance refills as time passes (one a second), so a few more may pass while these run.
    let registered = 0;
    let refused: Response | undefined;
    while (!refused && registered < 100) {
      const res = await register();
      if (res.status === 201) registered++;
      else refused = res;
    }
    assert.ok(refused && registered >= 60, `${registered} registered before a refusal`);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    const body = (await refused.json()) as { error: string; message: string };
    assert.equal(body.error, 'RATE_LIMITED');
    assert.match(body.message, /try again in \d+ s/);
  });
});
