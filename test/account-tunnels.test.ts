import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { TunnelError } from '../src/tunnel/protocol/errors.ts';
import { AccountTunnels } from '../src/tunnel/self-service/account-tunnels.ts';
import { startTestGateway } from './helpers/gateway.ts';

const gw = await startTestGateway();
after(() => gw.stop());
const { store, tunnels } = gw.gateway;
const accounts = new AccountTunnels({ store, tunnels, perUser: 1 });
const alice = { accountId: 'github|1', admin: false };
const bob = { accountId: 'gitlab|2', admin: false };
const root = { accountId: 'github|3', admin: true };

/** The code of the TunnelError `work` throws. */
async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TunnelError, `expected a TunnelError, got ${String(error)}`);
  return error.code;
}

describe('tunnels people own through their login', () => {
  test('the first login makes one readable tunnel, the same one on every later login', async () => {
    const first = await accounts.first(alice);
    assert.ok(first);
    assert.match(first.name, /^[a-z]+-[a-z]+-\d{4}$/, 'adjective-noun-number');
    assert.equal(first.owner, 'account:github|1');
    assert.equal((await accounts.first(alice))?.name, first.name);
    assert.deepEqual(
      (await accounts.list(alice)).map((t) => t.name),
      [first.name],
    );
  });

  test('a person holds at most --tunnels-per-user tunnels; an administrator more', async () => {
    const refused = await accounts.create(alice).then(
      () => undefined,
      (e: unknown) => e as TunnelError,
    );
    assert.equal(refused?.code, 'TUNNEL_LIMIT_REACHED');
    assert.match(refused?.message ?? '', /you already have 1 tunnel, the most allowed: delete one first/);
    await accounts.create(root, 'root-one');
    await accounts.create(root, 'root-two');
    assert.equal((await accounts.list(root)).length, 2);
  });

  test('creates at the same moment cannot together pass the limit', async () => {
    const carol = { accountId: 'github|4', admin: false };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => accounts.create(carol)));
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as TunnelError).code] : []));
    assert.equal(made.length, 1, 'exactly one is made');
    assert.deepEqual(refused, Array(4).fill('TUNNEL_LIMIT_REACHED'));
    assert.equal((await accounts.list(carol)).length, 1);
  });

  test("someone else's tunnel is not found, whatever is asked of it", async () => {
    const [mine] = await accounts.list(alice);
    assert.ok(mine);
    assert.equal(await codeOf(accounts.rotateKey(bob, mine.name)), 'TUNNEL_NOT_FOUND');
    assert.equal(await codeOf(accounts.delete(bob, mine.name)), 'TUNNEL_NOT_FOUND');
    assert.equal(await codeOf(accounts.events(bob, mine.name)), 'TUNNEL_NOT_FOUND');
    assert.equal(await codeOf(accounts.delete(bob, 'root-one')), 'TUNNEL_NOT_FOUND');
    assert.ok(await store.tunnels.get(mine.name), 'still there');
  });

  test('rotating gives a new key; deleting frees the place for another', async () => {
    const [mine] = await accounts.list(alice);
    assert.ok(mine);
    const before = await store.tunnels.get(mine.name);
    const rotated = await accounts.rotateKey(alice, mine.name);
    assert.match(rotated.key, /^gt_/);
    assert.notEqual((await store.tunnels.get(mine.name))?.keyHash, before?.keyHash);
    await accounts.delete(alice, mine.name);
    assert.deepEqual(await accounts.list(alice), []);
    const again = await accounts.create(alice, 'alice-new');
    assert.equal(again.tunnel.name, 'alice-new');
  });

  test('with --tunnels-per-user 0 a person gets none, an administrator still can', async () => {
    const none = new AccountTunnels({ store, tunnels, perUser: 0 });
    assert.equal(await none.first({ accountId: 'oidc|9', admin: false }), undefined);
    assert.ok(await none.first({ accountId: 'oidc|10', admin: true }));
  });
});
