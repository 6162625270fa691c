import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpBrowser } from './helpers/http-browser.ts';
import { type LoginWorld, logInThroughOidc, startLoginWorld } from './helpers/login-world.ts';

describe('claim: matchers admit at the route whom they admit at the authorization server', () => {
  let world: LoginWorld;
  before(async () => {
    world = await startLoginWorld({}, { oidc: true });
    for (const [host, allow] of [
      ['by-sub.test', 'claim:sub=u-alice'],
      ['by-group.test', 'claim:groups=staff'],
      ['by-email.test', 'claim:email=alice@example.test'],
    ] as const)
      await world.gw.addRoute({
        host,
        target: world.upstream.url,
        auth: { allow: [allow], login: ['oidc'] },
      });
    await world.gw.addRoute({
      host: 'scoped.test',
      target: world.upstream.url,
      auth: { allow: ['*'], login: ['oidc'], scopes: { staff: ['claim:groups=staff'] } },
    });
  });
  after(() => world.stop());

  for (const host of ['by-sub.test', 'by-group.test', 'by-email.test'])
    test(`${host}: alice passes on every request, bob is refused`, async () => {
      const alice = new HttpBrowser();
      const page = await logInThroughOidc(world, alice, `${world.origin(host)}/first`, 'u-alice');
      assert.equal(page.status, 200, page.text);
      assert.equal((await alice.send(`${world.origin(host)}/second`)).status, 200);
      const bob = await logInThroughOidc(world, new HttpBrowser(), `${world.origin(host)}/`, 'u-bob');
      assert.equal(bob.status, 403);
    });

  test('an OIDC person is their sub: someone who renamed themselves alice at the issuer is not alice', async () => {
    await world.gw.addRoute({
      host: 'by-login.test',
      target: world.upstream.url,
      auth: { allow: ['oidc:u-alice'], login: ['oidc'] },
    });
    world.oidc!.users.set('u-mallory', { sub: 'u-mallory', preferred_username: 'alice', groups: [] });
    const mallory = await logInThroughOidc(
      world,
      new HttpBrowser(),
      `${world.origin('by-login.test')}/`,
      'u-mallory',
    );
    assert.equal(mallory.status, 403);
    assert.match(mallory.text, /oidc:u-mallory/);
    const alice = await logInThroughOidc(
      world,
      new HttpBrowser(),
      `${world.origin('by-login.test')}/`,
      'u-alice',
    );
    assert.equal(alice.status, 200, alice.text);
    const seen = world.upstream.seen.at(-1)!.headers;
    assert.equal(seen['x-auth-user'], 'oidc:u-alice');
    assert.equal(seen['x-auth-name'], 'Alice');
  });

  test('a scope given by a claim reaches the upstream', async () => {
    const page = await logInThroughOidc(
      world,
      new HttpBrowser(),
      `${world.origin('scoped.test')}/`,
      'u-alice',
    );
    assert.equal(page.status, 200, page.text);
    assert.equal(world.upstream.seen.at(-1)?.headers['x-auth-scopes'], 'staff');
  });
});
