import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpBrowser } from './helpers/http-browser.ts';
import { type LoginWorld, logInThroughGithub, startLoginWorld } from './helpers/login-world.ts';

/** The last request the upstream saw. */
const lastSeen = (world: LoginWorld) => world.upstream.seen.at(-1)!;

describe('a browser logs in to a protected route through GitHub', () => {
  let world: LoginWorld;
  before(async () => {
    world = await startLoginWorld({ 'access-token-minutes': '1' });
    await world.gw.addRoute({ host: 'open.test', target: world.upstream.url });
    await world.gw.addRoute({
      host: 'app.test',
      target: world.upstream.url,
      auth: { allow: ['github-org:acme'], scopes: { user: ['*'], admin: ['github:alice'] } },
    });
  });
  after(() => world.stop());

  test('the upstream receives who it is, and nothing of Gatehouse’s session', async () => {
    const browser = new HttpBrowser();
    const page = await logInThroughGithub(world, browser, `${world.origin('app.test')}/page?x=1`, 'alice');
    assert.equal(page.status, 200, page.text);
    assert.equal(page.url.pathname + page.url.search, '/page?x=1', 'back to the page asked for');
    const seen = lastSeen(world);
    assert.equal(seen.headers['x-auth-user'], 'github:alice');
    assert.equal(seen.headers['x-auth-email'], 'alice@acme.test');
    assert.equal(seen.headers['x-auth-scopes'], 'admin user');
    assert.match(String(seen.headers['x-auth-assertion']), /^ey/);
    assert.equal(seen.headers.authorization, undefined);
    assert.doesNotMatch(String(seen.headers.cookie ?? ''), /gatehouse-/);
    assert.ok(browser.cookies('app.test').has('gatehouse-session'));
    // The flow went through the authorization server with PKCE and the route's resource.
    const authorize = browser.visited.find((u) => u.pathname === '/oauth/authorize');
    assert.equal(authorize?.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize?.searchParams.get('resource'), world.origin('app.test'));
  });

  test('someone the route does not allow is refused at login, and nothing reaches the upstream', async () => {
    const before = world.upstream.seen.length;
    const answer = await logInThroughGithub(world, new HttpBrowser(), `${world.origin('app.test')}/`, 'bob');
    assert.equal(answer.status, 403);
    assert.match(answer.text, /github:bob/);
    assert.match(answer.text, /<title>Not allowed<\/title>/);
    // Logged in as the wrong person: the page offers the way to become another one.
    const another = /<a id="next" href="([^"]+)">Use another account/.exec(answer.text)?.[1];
    assert.equal(another, `${world.issuer}/oauth/logout`);
    assert.equal(world.upstream.seen.length, before);
  });

  test("a session cookie copied to another route's host opens nothing there", async () => {
    await world.gw.addRoute({ host: 'other.test', target: world.upstream.url, auth: { allow: ['*'] } });
    const browser = new HttpBrowser();
    await logInThroughGithub(world, browser, `${world.origin('app.test')}/`, 'alice');
    const stolen = browser.cookies('app.test').get('gatehouse-session')!;
    const thief = new HttpBrowser();
    thief.setCookie('other.test', 'gatehouse-session', stolen);
    const answer = await thief.send(`${world.origin('other.test')}/`);
    assert.equal(answer.status, 302, 'sent to log in, not let through');
    assert.match(String(answer.headers['location']), /\/oauth\/authorize\?/);
  });

  test('two routes on one host keep their own sessions side by side', async () => {
    await world.gw.addRoute({
      host: 'paths.test',
      target: world.upstream.url,
      auth: { allow: ['github:alice', 'github:bob'] },
    });
    await world.gw.addRoute({
      host: 'paths.test',
      path: '/admin',
      target: world.upstream.url,
      auth: { allow: ['github:alice'] },
    });
    const browser = new HttpBrowser();
    const root = await logInThroughGithub(world, browser, `${world.origin('paths.test')}/home`, 'alice');
    assert.equal(root.status, 200, root.text);
    const admin = await logInThroughGithub(world, browser, `${world.origin('paths.test')}/admin/x`, 'alice');
    assert.equal(admin.status, 200, admin.text);
    assert.equal(admin.url.pathname, '/admin/x');
    const names = [...browser.cookies('paths.test').keys()].filter((n) => n.startsWith('gatehouse-session'));
    assert.equal(names.length, 2, `one session cookie per route: ${names.join(', ')}`);
    // Each route still has its session: logging in to /admin did not replace the one for /.
    assert.equal((await browser.send(`${world.origin('paths.test')}/again`)).status, 200);
    assert.equal((await browser.send(`${world.origin('paths.test')}/admin/again`)).status, 200);
    assert.doesNotMatch(String(lastSeen(world).headers.cookie ?? ''), /gatehouse-/);
    // Signing out of /admin leaves the session for / as it is.
    const form = await browser.send(`${world.origin('paths.test')}/admin/.gatehouse/sign-out`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const out = await browser.send(`${world.origin('paths.test')}/admin/.gatehouse/sign-out`, {
      method: 'POST',
      body: `csrf=${encodeURIComponent(csrf ?? '')}`,
      headers: { origin: world.origin('paths.test'), 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(out.status, 200);
    assert.equal((await browser.send(`${world.origin('paths.test')}/admin/gone`)).status, 302);
    assert.equal((await browser.send(`${world.origin('paths.test')}/still`)).status, 200);
  });

  test('a login callback opened in another browser (or replayed) is refused', async () => {
    const browser = new HttpBrowser();
    const start = await browser.send(`${world.origin('app.test')}/`);
    const authorize = new URL(String(start.headers['location']));
    // The code comes back to a browser that did not start the login: no login cookie.
    const victim = new HttpBrowser();
    const state = authorize.searchParams.get('state')!;
    const answer = await victim.send(`${world.origin('app.test')}/.gatehouse/callback?code=x&state=${state}`);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /opened in another browser/);
  });

  test("the edge client's code goes back only to a protected route's callback", async () => {
    const browser = new HttpBrowser();
    const start = await browser.send(`${world.origin('app.test')}/`);
    const authorize = new URL(String(start.headers['location']));
    for (const evil of [
      'http://evil.test/.gatehouse/callback',
      `${world.origin('open.test')}/.gatehouse/callback`,
      `${world.origin('app.test')}/.gatehouse/callback?x=1`,
      `${world.origin('app.test')}/elsewhere`,
    ]) {
      authorize.searchParams.set('redirect_uri', evil);
      const answer = await browser.send(authorize);
      assert.equal(answer.status, 400, evil);
      assert.equal(answer.headers['location'], undefined, `no redirect to ${evil}`);
    }
  });

  test('a GitHub member removed from the org is refused at the next refresh', async () => {
    const browser = new HttpBrowser();
    const page = await logInThroughGithub(world, browser, `${world.origin('app.test')}/a`, 'alice');
    assert.equal(page.status, 200);
    // One-minute tokens refresh on every request: each refresh asks GitHub again.
    assert.equal((await browser.send(`${world.origin('app.test')}/b`)).status, 200);
    world.github.users.get('alice')!.orgs = [];
    world.github.users.get('alice')!.teams = [];
    const after = await browser.send(`${world.origin('app.test')}/c`);
    assert.equal(after.status, 302, 'the session ended: log in again');
    assert.equal(world.upstream.seen.at(-1)?.url, '/b');
    world.github.users.get('alice')!.orgs = ['Acme'];
  });

  test('sign-out needs the form from the site itself', async () => {
    const browser = new HttpBrowser();
    await logInThroughGithub(world, browser, `${world.origin('app.test')}/`, 'alice');
    const form = await browser.send(`${world.origin('app.test')}/.gatehouse/sign-out`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    assert.ok(csrf);
    const forged = await browser.send(`${world.origin('app.test')}/.gatehouse/sign-out`, {
      method: 'POST',
      body: `csrf=${encodeURIComponent(csrf)}`,
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(forged.status, 403);
    assert.equal((await browser.send(`${world.origin('app.test')}/still`)).status, 200, 'still signed in');
    const out = await browser.send(`${world.origin('app.test')}/.gatehouse/sign-out`, {
      method: 'POST',
      body: `csrf=${encodeURIComponent(csrf)}`,
      headers: { origin: world.origin('app.test'), 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(out.status, 200);
    assert.equal((await browser.send(`${world.origin('app.test')}/gone`)).status, 302);
  });
});
