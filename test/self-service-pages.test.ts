import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AccountTunnels } from '../src/self-service/account-tunnels.ts';
import { selfServiceMount } from '../src/self-service/self-service-mount.ts';
import { BrowserSessions } from '../src/sessions/browser-sessions.ts';
import { LoginTickets } from '../src/sessions/login-tickets.ts';
import { RouteLogin } from '../src/sessions/route-login.ts';
import { sealingKey } from '../src/util/sealing.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { cookiePair, type Sent, startMiniDispatcher } from './helpers/mini-dispatcher.ts';

const gw = await startTestGateway();
after(() => gw.stop());
const { store, tunnels } = gw.gateway;
const key = sealingKey('a test secret of enough length for sealing', 'gatehouse', 'browser-session');
const sessions = new BrowserSessions({
  ephemeral: store.ephemeral,
  clock: Date.now,
  key: () => key,
  ttlMs: 3_600_000,
});
const login = new RouteLogin({
  sessions,
  tickets: new LoginTickets(store.ephemeral, Date.now),
  loginUrl: ({ host, returnTo }) => new URL(`http://gatehouse.test/login?host=${host}&return_to=${returnTo}`),
});
const people: Record<string, { login: string; admin: boolean }> = {
  'github|1': { login: 'github:alice', admin: false },
  'gitlab|2': { login: 'gitlab:bob', admin: false },
};
const accounts = new AccountTunnels({ store, tunnels, perUser: 1 });
const site = await startMiniDispatcher({
  mounts: [
    selfServiceMount({
      hosts: ['gatehouse.test'],
      login,
      accounts,
      person: async (id) => people[id],
    }),
  ],
});
after(() => site.close());
const send = (path: string, sent: Sent = {}) => site.send(path, { host: 'gatehouse.test', ...sent });

/** A signed-in browser: its cookie, and the CSRF token its pages carry. */
async function signIn(accountId: string) {
  const { setCookie, found } = await sessions.start('gatehouse.test', accountId, false);
  return { cookie: cookiePair(setCookie), csrf: found.session.csrf };
}

const post = (path: string, who: { cookie: string; csrf: string }, form: Record<string, string> = {}) =>
  send(path, {
    method: 'POST',
    cookie: who.cookie,
    body: new URLSearchParams({ csrf: who.csrf, ...form }).toString(),
    headers: { origin: 'http://gatehouse.test', 'sec-fetch-site': 'same-origin' },
  });

describe('self-service tunnel pages', () => {
  test('without a session the browser is sent to log in and come back to /tunnels', async () => {
    assert.equal((await send('/')).headers['location'], '/tunnels');
    const answer = await send('/tunnels');
    assert.equal(answer.status, 302);
    const to = new URL(String(answer.headers['location']));
    assert.equal(to.searchParams.get('return_to'), '/tunnels');
  });

  test('a person makes a tunnel, sees its key once, gives it a new key and deletes it', async () => {
    const alice = await signIn('github|1');
    const empty = await send('/tunnels', { cookie: alice.cookie });
    assert.equal(empty.status, 200);
    assert.match(empty.text, /Signed in as <strong id="who">github:alice<\/strong>/);
    assert.match(empty.text, /id="no-tunnels"/);
    assert.equal(empty.headers['x-frame-options'], 'DENY');

    const made = await post('/tunnels', alice, { name: 'alice-app' });
    assert.equal(made.status, 200);
    const firstKey = /<code id="key">(gt_[^<]+)<\/code>/.exec(made.text)?.[1];
    assert.ok(firstKey);
    assert.match(made.text, /--name alice-app --key gt_/);
    assert.doesNotMatch((await send('/tunnels', { cookie: alice.cookie })).text, /id="key"/, 'shown once');
    assert.match(made.text, /You have as many tunnels as you may/);

    const rotated = await post('/tunnels/alice-app/rotate-key', alice);
    const secondKey = /<code id="key">(gt_[^<]+)<\/code>/.exec(rotated.text)?.[1];
    assert.ok(secondKey);
    assert.notEqual(secondKey, firstKey);

    const events = await send('/tunnels/alice-app', { cookie: alice.cookie });
    assert.match(events.text, /Audit trail/);

    const deleted = await post('/tunnels/alice-app/delete', alice);
    assert.equal(deleted.status, 303);
    assert.equal(await store.tunnels.get('alice-app'), undefined);
  });

  test("nobody reaches another person's tunnel", async () => {
    const alice = await signIn('github|1');
    const bob = await signIn('gitlab|2');
    await post('/tunnels', alice, { name: 'alice-only' });
    assert.doesNotMatch((await send('/tunnels', { cookie: bob.cookie })).text, /alice-only/);
    for (const path of ['/tunnels/alice-only/rotate-key', '/tunnels/alice-only/delete']) {
      const answer = await post(path, bob);
      assert.equal(answer.status, 404, path);
      assert.match(answer.text, /you have no tunnel named alice-only/);
    }
    assert.equal((await send('/tunnels/alice-only', { cookie: bob.cookie })).status, 404);
    assert.ok(await store.tunnels.get('alice-only'));
  });

  const forged: [string, (who: { cookie: string; csrf: string }) => Sent][] = [
    ['without the CSRF token', (who) => ({ cookie: who.cookie, body: 'name=forged' })],
    ['with a wrong token', (who) => ({ cookie: who.cookie, body: 'name=forged&csrf=wrong' })],
    [
      'from another site',
      (who) => ({
        cookie: who.cookie,
        body: `name=forged&csrf=${who.csrf}`,
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      }),
    ],
  ];
  for (const [name, make] of forged)
    test(`a form ${name} changes nothing`, async () => {
      const bob = await signIn('gitlab|2');
      const answer = await send('/tunnels', { method: 'POST', ...make(bob) });
      assert.equal(answer.status, 403);
      assert.match(answer.text, /did not come from this site/);
      assert.equal(await store.tunnels.get('forged'), undefined);
    });

  test('a POST without a session is refused and changes nothing', async () => {
    const answer = await send('/tunnels', { method: 'POST', body: 'name=nobody' });
    assert.equal(answer.status, 401);
    assert.match(answer.text, /not signed in/);
    assert.equal(await store.tunnels.get('nobody'), undefined);
  });
});
