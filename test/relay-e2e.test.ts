import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { type OAuthApp, startOAuthApp } from './helpers/oauth-app.ts';
import { type OidcIssuer, startOidcIssuer } from './helpers/oidc-issuer.ts';
import { oidcProviderNotices } from './helpers/process-warnings.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'e2e-relay-shared-secret';
const RELAY_HOST = 'dev.api.example.test';
const providerNotices = oidcProviderNotices();

describe('end to end: one registered callback URL, two developers, a real provider and browser', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let issuer: OidcIssuer;
  let browser: Browser;
  const apps: Record<string, OAuthApp> = {};
  const agents: TunnelAgent[] = [];
  let relayBase: string;

  before(async () => {
    gw = await startRelayGateway(SECRET);
    relayBase = `http://${RELAY_HOST}:${gw.port}`;
    const redirectUri = `${relayBase}/api/v1/tesla/oauth/callback`;

    // The provider knows exactly one redirect URI: the relay host's.
    issuer = await startOidcIssuer({
      redirectUris: [redirectUri],
      users: ['alice', 'bob'].map((developer) => ({
        sub: `${developer}-driver`,
        preferred_username: `${developer}-driver`,
        name: `Driver ${developer}-driver`,
        groups: [],
      })),
    });

    deployed = await startUpstream((req, res) => res.end(`deployed app: ${req.url}`));
    await gw.addRoute({ host: RELAY_HOST, target: deployed.url, relay: {} });

    for (const developer of ['alice', 'bob']) {
      const app = await startOAuthApp(developer, {
        issuer: issuer.url,
        clientId: issuer.clientId,
        clientSecret: issuer.clientSecret,
        redirectUri,
      });
      apps[developer] = app;
      const tunnel = await createTunnel(gw, `${developer}-box`);
      agents.push(await startAgent(gw, tunnel, app.url));
      await registerTunnel(gw, { host: RELAY_HOST, secret: SECRET }, tunnel.name, developer);
    }

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        `--host-resolver-rules=MAP ${RELAY_HOST} 127.0.0.1`,
      ],
    });
  });

  after(async () => {
    await browser?.close();
    for (const agent of agents) agent.stop();
    for (const app of Object.values(apps)) await app.close();
    await gw.stop();
    await deployed.close();
    await issuer?.stop();
  });

  test('each developer logs in at the provider and lands on their own success page with their own report', async () => {
    const pages: Record<string, Page> = {};
    // Both start their flow before either finishes: two states are pending at once.
    for (const developer of ['alice', 'bob']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      pages[developer] = page;
      await page.goto(`${relayBase}/api/v1/dev-proxy/select?developer=${developer}`);
      await page.goto(`${relayBase}/app`);
      await page.click('#connect');
      await page.waitForURL(/\/interaction\//);
    }
    for (const developer of ['alice', 'bob']) {
      const page = pages[developer]!;
      await page.click(`#login button[value="${developer}-driver"]`);
      await page.waitForURL(new RegExp(`^${relayBase}/app\\?oauth=success&session_id=`));
      await page.waitForFunction("document.getElementById('report').textContent !== ''");
      const report = JSON.parse((await page.textContent('#report')) ?? '{}');
      assert.equal(report.developer, developer);
      assert.equal(report.userinfo.sub, `${developer}-driver`);
      assert.equal(report.userinfo.name, `Driver ${developer}-driver`);
    }
    // Each app saw exactly its own callback, and the deployed app saw none.
    assert.equal(apps['alice']!.callbacks.length, 1);
    assert.equal(apps['bob']!.callbacks.length, 1);
    assert.notEqual(apps['alice']!.callbacks[0], apps['bob']!.callbacks[0]);
    assert.ok(!deployed.seen.some((r) => r.url.startsWith('/api/v1/tesla/oauth/callback')));
  });

  test('the provider printed no notice or warning: none of its development defaults is in use', () => {
    assert.deepEqual(providerNotices, []);
  });
});
