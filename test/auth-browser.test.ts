import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/chromium.ts';
import { type LoginWorld, startLoginWorld } from './helpers/login-world.ts';

describe('login at the edge, in a real browser', () => {
  let world: LoginWorld;
  let browser: Browser;

  before(async () => {
    world = await startLoginWorld({ 'admin-users': 'github:alice' }, { oidc: true });
    await world.gw.addRoute({ host: 'app.test', target: world.upstream.url, auth: { allow: ['*'] } });
    browser = await launchChromium('*.test');
  });
  after(async () => {
    await browser?.close();
    await world?.stop();
  });

  test('GitHub login to a protected route: the upstream receives X-Auth-User', async () => {
    world.github.currentUser = 'alice';
    world.github.autoApprove = false;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${world.origin('app.test')}/hello`);
    await page.click('a.provider:has-text("GitHub")');
    await page.waitForURL(`${world.github.url}/**`);
    assert.equal(await page.textContent('#user'), 'alice');
    await page.click('button[value="1"]');
    await page.waitForURL(`${world.origin('app.test')}/hello`);
    const echoed = JSON.parse((await page.textContent('body')) ?? '{}') as {
      headers: Record<string, string>;
    };
    assert.equal(echoed.headers['x-auth-user'], 'github:alice');
    assert.equal(echoed.headers['x-auth-email'], 'alice@acme.test');
    const cookies = await page.context().cookies(world.origin('app.test'));
    const session = cookies.find((c) => c.name === 'gatehouse-session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session?.sameSite, 'Lax');
  });

  test('login through the OIDC issuer (a real oidc-provider)', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${world.origin('app.test')}/company`);
    await page.click('a.provider:has-text("Company login")');
    await page.click('#login button[value="u-alice"]');
    await page.waitForURL(`${world.origin('app.test')}/company`);
    const echoed = JSON.parse((await page.textContent('body')) ?? '{}') as {
      headers: Record<string, string>;
    };
    assert.equal(echoed.headers['x-auth-user'], 'oidc:u-alice');
    assert.equal(echoed.headers['x-auth-name'], 'Alice');
  });

  test('the self-service page: log in, see the tunnel made for you, give it a new key', async () => {
    world.github.currentUser = 'bob';
    world.github.autoApprove = true;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${world.issuer}/tunnels`);
    await page.click('a.provider:has-text("GitHub")');
    await page.waitForURL(`${world.issuer}/tunnels`);
    assert.equal(await page.textContent('#who'), 'github:bob');
    const row = page.locator('tr.tunnel');
    assert.equal(await row.count(), 1);
    const name = await row.getAttribute('data-name');
    assert.match(name ?? '', /^[a-z]+-[a-z]+-\d{4}$/);
    await page.click(`#rotate-${name}`);
    assert.match((await page.textContent('#key')) ?? '', /^gt_/);
    assert.match((await page.textContent('#fresh-key')) ?? '', new RegExp(`--name ${name} --key gt_`));
  });
});
