import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DevIdp } from '../src/dev-idp/dev-idp.ts';
import { logInAtStandIn, standInEnvironment, startStandIn } from './helpers/dev-idp-login.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

describe('a gateway logging people in through gatehouse dev-idp, set up as it says', () => {
  let idp: DevIdp;
  let gw: TestGateway;
  let app: Upstream;
  const origin = (host: string) => `http://${host}:${gw.port}`;
  before(async () => {
    // Its defaults, as `npx gatehouse dev-idp` has them; the gateway is on a port of its own.
    idp = await startStandIn();
    gw = await startTestGateway({ flags: { domain: 'localhost' }, env: standInEnvironment(idp) });
    app = await startUpstream();
    await gw.addRoute({ host: 'staff.localhost', target: app.url, auth: { allow: ['claim:groups=staff'] } });
    await gw.addRoute({ host: 'open.localhost', target: app.url, auth: { allow: ['*'] } });
  });
  after(async () => {
    await gw.stop();
    await app.close();
    await idp.stop();
  });

  /** A browser asks for `url`, meets Gatehouse's login page, goes to the stand-in, picks `sub`. */
  async function logIn(url: string, sub: string) {
    const loginPage = await new HttpBrowser().navigate(url);
    assert.match(loginPage.text, /Continue with Stand-in login/, 'the label it printed');
    return logInAtStandIn(new HttpBrowser(), url, idp.url, sub);
  }

  test('a person in staff gets through: the upstream is told oidc:<sub>, their email and name', async () => {
    const page = await logIn(`${origin('staff.localhost')}/report`, 'u-alice');
    assert.equal(page.status, 200, page.text);
    assert.equal(page.url.href, `${origin('staff.localhost')}/report`);
    const seen = app.seen.at(-1)!.headers;
    assert.equal(seen['x-auth-user'], 'oidc:u-alice');
    assert.equal(seen['x-auth-email'], 'alice@example.com');
    assert.equal(seen['x-auth-name'], 'Alice Example');
  });

  test('someone outside staff is refused, by their sub', async () => {
    const page = await logIn(`${origin('staff.localhost')}/`, 'u-carol');
    assert.equal(page.status, 403);
    assert.match(page.text, /oidc:u-carol/);
  });

  test('an unverified email never reaches the upstream', async () => {
    const page = await logIn(`${origin('open.localhost')}/`, 'u-carol');
    assert.equal(page.status, 200, page.text);
    const seen = app.seen.at(-1)!.headers;
    assert.equal(seen['x-auth-user'], 'oidc:u-carol');
    assert.equal(seen['x-auth-email'], undefined);
  });
});
