import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpBrowser } from './helpers/http-browser.ts';
import { type LoginWorld, logInThroughGithub, startLoginWorld } from './helpers/login-world.ts';

describe('self-service tunnel pages', () => {
  let world: LoginWorld;
  before(async () => {
    world = await startLoginWorld({ 'admin-users': 'github:alice' });
  });
  after(() => world.stop());

  /** A browser signed in at the Gatehouse domain as `person`, on its tunnels page. */
  async function signIn(person: string) {
    const browser = new HttpBrowser();
    const page = await logInThroughGithub(world, browser, `${world.issuer}/tunnels`, person);
    assert.equal(page.status, 200, page.text);
    return { browser, page, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '' };
  }
  const post = (who: Awaited<ReturnType<typeof signIn>>, path: string, form: Record<string, string> = {}) =>
    who.browser.send(`${world.issuer}${path}`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: who.csrf, ...form }).toString(),
      headers: { origin: world.issuer, 'sec-fetch-site': 'same-origin' },
    });

  test('the first login gives a readable tunnel; a person rotates its key, deletes it and makes another', async () => {
    const bob = await signIn('bob');
    assert.match(bob.page.text, /Signed in as <strong id="who">github:bob<\/strong>/);
    assert.doesNotMatch(bob.page.text, /administrator/);
    assert.doesNotMatch(bob.page.text, /id="admin-app"/);
    assert.equal(bob.page.headers['x-frame-options'], 'DENY');
    const first = /data-name="([a-z]+-[a-z]+-\d{4})"/.exec(bob.page.text)?.[1];
    assert.ok(first, 'a tunnel named like happy-island-1234');
    assert.match(bob.page.text, /You have as many tunnels as you may/, '--tunnels-per-user 1');
    assert.equal((await post(bob, '/tunnels', { name: 'bob-two' })).status, 429);
    assert.equal((await signIn('bob')).page.text.match(/class="tunnel"/g)?.length, 1, 'the same one again');

    const rotated = await post(bob, `/tunnels/${first}/rotate-key`);
    const key = /<code id="key">(gt_[^<]+)<\/code>/.exec(rotated.text)?.[1];
    assert.ok(key);
    assert.match(rotated.text, new RegExp(`--name ${first} --key gt_`));
    assert.doesNotMatch((await bob.browser.send(`${world.issuer}/tunnels`)).text, /id="key"/, 'shown once');
    assert.match((await bob.browser.send(`${world.issuer}/tunnels/${first}`)).text, /Audit trail/);

    assert.equal((await post(bob, `/tunnels/${first}/delete`)).status, 303);
    assert.equal(await world.gw.gateway.store.tunnels.get(first), undefined);
    const made = await post(bob, '/tunnels', { name: 'bob-app' });
    assert.equal(made.status, 200);
    assert.match(made.text, /<code id="key">gt_/);
  });

  test("nobody reaches another person's tunnel", async () => {
    const alice = await signIn('alice');
    assert.match(alice.page.text, /administrator: <a id="admin-app" href="\/ui\/">the admin app<\/a>/);
    await post(alice, '/tunnels', { name: 'alice-only' });
    const bob = await signIn('bob');
    assert.doesNotMatch((await bob.browser.send(`${world.issuer}/tunnels`)).text, /alice-only/);
    for (const path of ['/tunnels/alice-only/rotate-key', '/tunnels/alice-only/delete']) {
      const answer = await post(bob, path);
      assert.equal(answer.status, 404, path);
      assert.match(answer.text, /you have no tunnel named alice-only/);
    }
    assert.equal((await bob.browser.send(`${world.issuer}/tunnels/alice-only`)).status, 404);
    assert.ok(await world.gw.gateway.store.tunnels.get('alice-only'));
  });

  const forged: [string, Record<string, string>, Record<string, string>][] = [
    ['without the CSRF token', { name: 'forged' }, {}],
    ['with a wrong token', { name: 'forged', csrf: 'wrong' }, {}],
    [
      'from another site',
      { name: 'forged' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ],
  ];
  for (const [name, form, headers] of forged)
    test(`a form ${name} changes nothing`, async () => {
      const alice = await signIn('alice');
      const body = new URLSearchParams(name === 'from another site' ? { ...form, csrf: alice.csrf } : form);
      const answer = await alice.browser.send(`${world.issuer}/tunnels`, {
        method: 'POST',
        body: body.toString(),
        headers,
      });
      assert.equal(answer.status, 403);
      assert.match(answer.text, /did not come from this site/);
      assert.equal(await world.gw.gateway.store.tunnels.get('forged'), undefined);
    });

  test('a POST without a session is refused and changes nothing', async () => {
    const answer = await new HttpBrowser().send(`${world.issuer}/tunnels`, {
      method: 'POST',
      body: 'name=nobody',
    });
    assert.equal(answer.status, 401);
    assert.match(answer.text, /not signed in/);
    assert.equal(await world.gw.gateway.store.tunnels.get('nobody'), undefined);
  });
});

describe('--tunnel-users', () => {
  let world: LoginWorld;
  before(async () => {
    world = await startLoginWorld({ 'tunnel-users': 'github-org:acme' });
  });
  after(() => world.stop());

  test('only the people it names may log in for tunnels; the others are told why and get none', async () => {
    const refused = await logInThroughGithub(world, new HttpBrowser(), `${world.issuer}/tunnels`, 'bob');
    assert.equal(refused.status, 403);
    assert.match(refused.text, /github:bob may not log in to this Gatehouse \(--tunnel-users\)/);
    const owned = await world.gw.gateway.store.tunnels.list();
    assert.equal(owned.filter((t) => t.owner === 'account:github|1002').length, 0);
    const alice = await logInThroughGithub(world, new HttpBrowser(), `${world.issuer}/tunnels`, 'alice');
    assert.equal(alice.status, 200);
    assert.match(alice.text, /class="tunnel"/);
  });
});
