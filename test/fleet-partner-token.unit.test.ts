import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import type { TeslaTokens } from '../src/fleet/api/tesla-oauth.ts';
import {
  type PartnerTokenRequest,
  PartnerTokens,
  partnerTokenCacheKey,
  REFRESH_MARGIN_MS,
} from '../src/fleet/partner-token.ts';
import { defaultCacheDir, fileTokenStorage } from '../src/fleet/token-file-cache.ts';

const REQUEST: PartnerTokenRequest = {
  tokenUrl: 'https://auth.example/oauth2/v3/token',
  clientId: 'app',
  clientSecret: 'secret',
  audience: 'https://fleet-api.prd.na.vn.cloud.tesla.com',
  scopes: ['openid'],
};

/** A grant that counts its calls and hands out numbered tokens living `lifetime` seconds. */
function countingGrant(lifetime = 28_800) {
  const calls: PartnerTokenRequest[] = [];
  const grant = async (request: PartnerTokenRequest): Promise<TeslaTokens> => {
    calls.push(request);
    return { access_token: `token-${calls.length}`, expires_in: lifetime, token_type: 'Bearer' };
  };
  return { calls, grant };
}

describe('partner tokens', () => {
  test('reused until five minutes before expiry, then fetched again', async () => {
    const clock = manualClock(1_000_000);
    const { calls, grant } = countingGrant(3600);
    const tokens = new PartnerTokens({ grant, clock });
    assert.equal((await tokens.get(REQUEST)).accessToken, 'token-1');
    clock.advance(3600_000 - REFRESH_MARGIN_MS - 1);
    const again = await tokens.get(REQUEST);
    assert.deepEqual([again.accessToken, again.fromCache], ['token-1', true]);
    clock.advance(1);
    assert.equal((await tokens.get(REQUEST)).accessToken, 'token-2');
    assert.equal(calls.length, 2);
  });

  test('callers at the same moment share one grant; --no-cache always asks', async () => {
    const clock = manualClock();
    const { calls, grant } = countingGrant();
    const tokens = new PartnerTokens({ grant, clock });
    const both = await Promise.all([tokens.get(REQUEST), tokens.get(REQUEST)]);
    assert.deepEqual(
      both.map((t) => t.accessToken),
      ['token-1', 'token-1'],
    );
    assert.equal((await tokens.get(REQUEST, { noCache: true })).accessToken, 'token-2');
    assert.equal((await tokens.get(REQUEST)).accessToken, 'token-2');
    assert.equal(calls.length, 2);
  });

  test('another audience or client is another token', async () => {
    const { calls, grant } = countingGrant();
    const tokens = new PartnerTokens({ grant, clock: manualClock() });
    await tokens.get(REQUEST);
    await tokens.get({ ...REQUEST, audience: 'https://fleet-api.prd.eu.vn.cloud.tesla.com' });
    await tokens.get({ ...REQUEST, clientId: 'other' });
    assert.equal(calls.length, 3);
  });

  test('the file cache serves a second process; files are 0600 and named by a hash', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-cache-')), 'gatehouse');
    const clock = manualClock();
    const first = countingGrant();
    await new PartnerTokens({ grant: first.grant, clock, storage: fileTokenStorage(dir) }).get(REQUEST);
    const second = countingGrant();
    const token = await new PartnerTokens({ grant: second.grant, clock, storage: fileTokenStorage(dir) }).get(
      REQUEST,
    );
    assert.deepEqual([token.accessToken, token.fromCache, second.calls.length], ['token-1', true, 0]);
    const files = readdirSync(dir);
    assert.deepEqual(files, [`partner-token-${partnerTokenCacheKey(REQUEST)}.json`]);
    assert.ok(!files[0]!.includes('app'));
    assert.equal(statSync(join(dir, files[0]!)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  test('the cache lives under XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u'), '/x/cache/gatehouse');
    assert.equal(defaultCacheDir({}, '/home/u'), '/home/u/.cache/gatehouse');
  });
});
