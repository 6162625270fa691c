import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpBrowser } from './helpers/http-browser.ts';
import { type LoginWorld, logInThroughGithub, ROUTE_APP, startLoginWorld } from './helpers/login-world.ts';

/** The client IDs a browser's visits to the GitHub stand-in's authorize page named, in order. */
const githubApps = (world: LoginWorld, browser: HttpBrowser) =>
  browser.visited
    .filter((u) => u.origin === world.github.url && u.pathname === '/login/oauth/authorize')
    .map((u) => u.searchParams.get('client_id'));

describe("a route's own GitHub app and login choices", () => {
  let world: LoginWorld;
  before(async () => {
    world = await startLoginWorld({ 'access-token-minutes': '1' }, { oidc: true });
    const auth = { allow: ['github-org:acme', 'oidc:u-alice'] };
    await world.gw.addRoute({ host: 'shared.test', target: world.upstream.url, auth });
    await world.gw.addRoute({
      host: 'own.test',
      target: world.upstream.url,
      auth: { ...auth, providers: { github: { ...ROUTE_APP } } },
    });
    await world.gw.addRoute({
      host: 'company.test',
      target: world.upstream.url,
      auth: { ...auth, login: ['oidc'] },
    });
  });
  after(() => world.stop());

  test('a login to the route goes through its own app; other routes use the global one', async () => {
    const browser = new HttpBrowser();
    const own = await logInThroughGithub(world, browser, `${world.origin('own.test')}/x`, 'alice');
    assert.equal(own.status, 200, own.text);
    assert.equal(world.upstream.seen.at(-1)?.headers['x-auth-user'], 'github:alice');
    assert.deepEqual(githubApps(world, browser), [ROUTE_APP.clientId]);

    const other = new HttpBrowser();
    assert.equal(
      (await logInThroughGithub(world, other, `${world.origin('shared.test')}/`, 'alice')).status,
      200,
    );
    assert.deepEqual(githubApps(world, other), ['gh-app']);
  });

  test('someone logged in through the global app goes through the route app again', async () => {
    const browser = new HttpBrowser();
    await logInThroughGithub(world, browser, `${world.origin('shared.test')}/`, 'alice');
    const page = await logInThroughGithub(world, browser, `${world.origin('own.test')}/`, 'alice');
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(githubApps(world, browser), ['gh-app', ROUTE_APP.clientId]);
  });

  test('each app keeps its own grant: revoking one ends only its sessions, at the next refresh', async () => {
    const viaGlobal = new HttpBrowser();
    const viaRoute = new HttpBrowser();
    await logInThroughGithub(world, viaGlobal, `${world.origin('shared.test')}/`, 'alice');
    await logInThroughGithub(world, viaRoute, `${world.origin('own.test')}/`, 'alice');
    // Alice revokes the global app in her GitHub settings; the route's app she keeps.
    world.github.revokeTokensOf('alice', 'gh-app');
    // One-minute tokens refresh on every request, and each refresh asks GitHub again.
    assert.equal((await viaRoute.send(`${world.origin('own.test')}/still`)).status, 200);
    const refused = await viaGlobal.send(`${world.origin('shared.test')}/again`);
    assert.equal(refused.status, 302, 'the global app no longer reads alice: log in again');
    assert.equal((await viaRoute.send(`${world.origin('own.test')}/and-still`)).status, 200);
  });

  test('auth.login limits the choices, and a provider it leaves out cannot be started', async () => {
    const browser = new HttpBrowser();
    const loginPage = await browser.navigate(`${world.origin('company.test')}/`);
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.text, /Company login/);
    assert.doesNotMatch(loginPage.text, /GitHub/);
    const oidcStart = /href="([^"]*\/start\/oidc)"/.exec(loginPage.text)?.[1];
    assert.ok(oidcStart, 'the OIDC issuer is offered');
    const githubStart = new URL(oidcStart.replaceAll('&amp;', '&').replace(/oidc$/, 'github'), loginPage.url);
    world.github.currentUser = 'alice';
    world.github.autoApprove = true;
    const forced = await browser.send(githubStart);
    assert.equal(forced.status, 404);
    assert.match(forced.text, /not offered for this application/);
    assert.deepEqual(githubApps(world, browser), [], 'GitHub was never asked');
  });

  test('a GitHub session at the auth host does not pass a route that takes only the OIDC login', async () => {
    const browser = new HttpBrowser();
    await logInThroughGithub(world, browser, `${world.origin('shared.test')}/`, 'alice');
    const page = await browser.navigate(`${world.origin('company.test')}/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Company login/, 'asked to log in again, with the one provider the route takes');
    assert.ok(!page.url.host.startsWith('company.test'), 'not let through');
  });

  test('a route app for a provider without per-route apps is refused, saying which exist', async () => {
    const res = await world.gw.api('POST', '/api/v1/routes', {
      host: 'bad.test',
      target: world.upstream.url,
      auth: { allow: ['*'], providers: { oidc: { clientId: 'x', clientSecret: 'y' } } },
    });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /own app for github and gitlab only/);
  });
});
