import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { startSimulator } from '../src/simulator/simulator.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { launchChromium } from './helpers/chromium.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream } from './helpers/upstream.ts';

// Seed 000's flow: Tesla allows one registered redirect URL, on the deployed API's host; the
// relay there sends the callback, by its OAuth state, to the developer whose local Gatehouse
// (behind a tunnel) started the login, and that one builds the vehicle report.
const SECRET = 'fleet-relay-flow-shared-secret';
const RELAY_HOST = 'dev.api.example.test';

test("Tesla's callback reaches the developer's local login route through the relay, by state", async (t) => {
  const publicGw = await startRelayGateway(SECRET);
  t.after(() => publicGw.stop());
  const relayBase = `http://${RELAY_HOST}:${publicGw.port}`;
  const redirectUri = `${relayBase}/tesla/callback`;

  const sim = await startSimulator({
    seed: validateSeed({
      ...DEFAULT_SEED_INPUT,
      apps: DEFAULT_SEED_INPUT.apps.map((app) => ({
        ...app,
        redirect_uris: [redirectUri],
        require_partner_registration: false,
      })),
    }),
  });
  t.after(() => sim.stop());

  const deployed = await startUpstream((req, res) => res.end(`deployed app: ${req.url}`));
  t.after(() => deployed.close());
  await publicGw.addRoute({
    host: RELAY_HOST,
    target: deployed.url,
    relay: { callbackPaths: ['/tesla/callback'] },
  });

  // The developer's machine: a Gatehouse with a fleet-login route whose redirect URI is the relay's.
  const local = await startTestGateway({
    env: {
      TESLA_CLIENT_ID: 'gatehouse-sim-client',
      TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
      TESLA_SIMULATOR: sim.url,
      TESLA_REDIRECT_URI: redirectUri,
    },
  });
  t.after(() => local.stop());
  await local.addRoute({ kind: 'fleet-login', host: '*', path: '/tesla' });
  const tunnel = await createTunnel(publicGw, 'alice-box');
  const agent = await startAgent(publicGw, tunnel, local.url);
  t.after(() => agent.stop());
  await registerTunnel(publicGw, { host: RELAY_HOST, secret: SECRET }, tunnel.name, 'alice');

  const browser = await launchChromium(RELAY_HOST);
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${relayBase}/api/v1/dev-proxy/select?developer=alice`);
  await page.goto(`${relayBase}/tesla/login`);
  await page.waitForURL(`${sim.url}/oauth2/v3/authorize?**`);
  const authorize = new URL(page.url());
  assert.equal(authorize.searchParams.get('redirect_uri'), redirectUri);
  await page.fill('input[name="email"]', 'driver@example.com');
  await page.fill('input[name="password"]', 'tesla');
  await page.click('button[type="submit"]');
  await page.click('button[name="decision"][value="allow"]');
  await page.waitForURL(`${relayBase}/tesla/report`);
  assert.equal(await page.locator('section.vehicle').count(), 2);
  assert.match((await page.textContent('body')) ?? '', /5YJ3E7EB2NF000001/);
  assert.ok(
    !deployed.seen.some((r) => r.url.startsWith('/tesla/')),
    'the deployed app saw neither the login nor the callback',
  );
});
