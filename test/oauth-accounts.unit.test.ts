import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { currentIdentity, type UpstreamIdentity, type UpstreamLogin } from '../src/auth/identity/identity.ts';
import { Accounts, OAUTH_ACCOUNTS } from '../src/auth/server/accounts.ts';
import { manualClock } from '../src/core/clock.ts';
import { seal, sealingKey } from '../src/core/sealing.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const key = sealingKey(Buffer.alloc(32, 9), 'test', 'accounts');
const loginWith = (accessToken: string, orgs: string[] = []): UpstreamLogin => ({
  identity: { provider: 'github', subject: '1001', login: 'alice', orgs, teams: [], groups: [], claims: {} },
  grant: { accessToken },
});

describe('accounts keep one upstream grant per OAuth app', () => {
  const store = SqliteStore.open(tempDir('gatehouse-accounts-'));
  const accounts = new Accounts(store, manualClock(Date.parse('2026-12-01T00:00:00Z')), key);
  after(() => store.close());

  test("a login through a route's app leaves the global app's grant as it was", async () => {
    await accounts.save(loginWith('global-token'), 'global-app');
    const saved = await accounts.save(loginWith('route-token', ['acme']), 'route-app');
    assert.equal(saved.app, 'route-app', 'the identity was last read through the route app');
    assert.deepEqual(accounts.grantOf(saved, 'global-app'), { accessToken: 'global-token' });
    assert.deepEqual(accounts.grantOf(saved, 'route-app'), { accessToken: 'route-token' });
    assert.equal(accounts.grantOf(saved, 'never-used'), undefined);
    assert.doesNotMatch(JSON.stringify(saved), /global-token|route-token/, 'grants are stored sealed');
  });

  test("a sealed grant moved to another app's slot does not open", async () => {
    const record = (await accounts.get('github|1001'))!;
    const moved = {
      ...record,
      sealedGrants: { ...record.sealedGrants, 'global-app': record.sealedGrants!['route-app']! },
    };
    assert.equal(accounts.grantOf(moved, 'global-app'), undefined);
  });

  test('a person who used many apps keeps the most recent ones', async () => {
    for (let i = 0; i < 20; i++) await accounts.save(loginWith(`token-${i}`), `app-${i}`);
    const record = (await accounts.get('github|1001'))!;
    assert.equal(Object.keys(record.sealedGrants!).length, 16);
    assert.equal(accounts.grantOf(record, 'app-3'), undefined, 'the oldest were dropped');
    assert.deepEqual(accounts.grantOf(record, 'app-19'), { accessToken: 'token-19' });
    await accounts.save(loginWith('token-4-again'), 'app-4');
    const again = (await accounts.get('github|1001'))!;
    assert.deepEqual(Object.keys(again.sealedGrants!).at(-1), 'app-4', 'a used app becomes the most recent');
  });

  test('a record from before apps were told apart still opens, for any app, until the next login', async () => {
    const id = 'github|2002';
    await store.collection(OAUTH_ACCOUNTS).insert({
      id,
      identity: { ...loginWith('x').identity, subject: '2002', login: 'bob' },
      sealedGrant: seal(key, JSON.stringify({ accessToken: 'old-token' }), id),
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const legacy = (await accounts.get(id))!;
    assert.deepEqual(accounts.grantOf(legacy, 'global-app'), { accessToken: 'old-token' });
    const saved = await accounts.save(
      { ...loginWith('new-token'), identity: { ...legacy.identity } },
      'global-app',
    );
    assert.equal(saved.sealedGrant, undefined, 'the old field goes');
    assert.equal(saved.createdAt, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(accounts.grantOf(saved, 'global-app'), { accessToken: 'new-token' });
  });
});

describe('accounts stored before OIDC people were named by sub', () => {
  const base = { subject: 'u-7', orgs: [], teams: [], groups: [], claims: {} };
  const cases: [name: string, stored: UpstreamIdentity, expected: UpstreamIdentity][] = [
    [
      'an OIDC login by user name becomes its sub, the name kept to show',
      { ...base, provider: 'oidc', login: 'alice' },
      { ...base, provider: 'oidc', login: 'u-7', name: 'alice' },
    ],
    [
      'a display name already there is kept',
      { ...base, provider: 'okta', login: 'alice', name: 'Alice A.' },
      { ...base, provider: 'okta', login: 'u-7', name: 'Alice A.' },
    ],
    [
      'an OIDC login by sub is left as it is',
      { ...base, provider: 'oidc', login: 'u-7' },
      { ...base, provider: 'oidc', login: 'u-7' },
    ],
    [
      'GitHub keeps its logins',
      { ...base, provider: 'github', login: 'alice' },
      { ...base, provider: 'github', login: 'alice' },
    ],
  ];
  for (const [name, stored, expected] of cases)
    test(name, () => assert.deepEqual(currentIdentity(stored), expected));
});
