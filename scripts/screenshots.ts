/**
 * The pictures in the README and the guides, taken from a real run: `npm run screenshots`.
 * Starts the simulator of Tesla's cloud with a few vehicles, a gateway whose receiver they stream
 * to over mTLS, a protected route and the login page in front of it, and photographs them in
 * Debian's Chromium into docs/images/; and the admin web app with a few routes and tunnels. Run it
 * again when a page changes: the pictures stay true. `npm run screenshots -- admin` takes only the
 * pictures named (dashboard, login, admin).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualClock } from '../src/core/clock.ts';
import { signSs256Jws } from '../src/fleet/ss256.ts';
import { validateSeed } from '../src/simulator/seed.ts';
import { startSimulator } from '../src/simulator/simulator.ts';
import { VirtualFleet } from '../src/simulator/vehicles/virtual-fleet.ts';
import { createTunnel, startAgent } from '../test/helpers/agent.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { builtAdminApp, builtDashboard } from '../test/helpers/dashboard-build.ts';
import {
  driverSeed,
  fleet,
  newFleetKey,
  partnerToken,
  registerPartner,
} from '../test/helpers/fleet-simulator.ts';
import { ADMIN_KEY, startTestGateway } from '../test/helpers/gateway.ts';
import { startLoginWorld } from '../test/helpers/login-world.ts';
import { startUpstream } from '../test/helpers/upstream.ts';

const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));
const DOMAIN = 'app.example.test';
const TELEMETRY_HOST = 'telemetry.example.test';
const TOKEN = 'dashboard-shared-token-0123456789';
const VINS = ['5YJ3E7EB2NF000001', '5YJ3E7EB2NF000002', '5YJ3E7EB2NF000003'];
const VIEWPORT = { width: 1280, height: 760 };

/** Progress on stderr: the run takes a minute. */
const step = (text: string) => process.stderr.write(`screenshots: ${text}\n`);

async function dashboard(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-screenshots-'));
  const resolve = new Map<string, { address: string; port: number }>();
  const trust: string[] = [];
  let vehicles: VirtualFleet | undefined;
  step('starting the simulator with three vehicles');
  // Near the wall clock, so the page's charts (which show the last minutes) have the points.
  const clock = manualClock(Date.now() - 120_000);
  const started = await startSimulator({
    seed: validateSeed(
      driverSeed(
        DOMAIN,
        VINS.map((vin) => ({ vin, firmware: '2024.38.4', paired_domains: [DOMAIN] })),
      ),
    ),
    clock,
    resolve,
    trust,
    streams: (deps) => {
      vehicles = new VirtualFleet(deps, { realTimers: false, seed: 'screenshots' });
      return vehicles;
    },
  });
  const sim = Object.assign(started, { clock });
  const key = newFleetKey();
  await registerPartner(sim, { resolve, trust }, dir, DOMAIN, key);
  const server = await sim.ca.issueServerCertificate([TELEMETRY_HOST]);
  const files = { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') };
  writeFileSync(files.cert, server.certPem);
  writeFileSync(files.key, server.keyPem);
  writeFileSync(files.ca, sim.ca.certPem);
  step('starting the gateway and its telemetry receiver');
  const gw = await startTestGateway({
    env: { DASHBOARD_TOKEN: TOKEN },
    dashboardDir: await builtDashboard(),
    flags: {
      'telemetry-port': '0',
      'telemetry-host': '127.0.0.1',
      'telemetry-cert': files.cert,
      'telemetry-key': files.key,
      'telemetry-ca': files.ca,
    },
  });
  const browser = await launchChromium();
  try {
    resolve.set(TELEMETRY_HOST, { address: '127.0.0.1', port: gw.gateway.telemetry!.port });
    const config = {
      hostname: TELEMETRY_HOST,
      port: 443,
      ca: sim.ca.certPem,
      exp: Math.floor(sim.clock() / 1000) + 86_400,
      fields: {
        VehicleSpeed: { interval_seconds: 1 },
        Soc: { interval_seconds: 1 },
        Location: { interval_seconds: 1 },
        Odometer: { interval_seconds: 10 },
      },
    };
    await fleet(sim, await partnerToken(sim), 'POST', '/api/1/vehicles/fleet_telemetry_config_jws', {
      body: { vins: VINS, token: signSs256Jws(key, config) },
    });
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    await page.waitForSelector('[data-connection="open"]');
    step('streaming two simulated minutes');
    for (let second = 0; second < 120; second++) {
      sim.clock.advance(1000);
      vehicles!.tick();
      await page.waitForTimeout(25);
    }
    await page.locator(`tr[data-vin="${VINS[0]}"] [data-status="CONNECTED"]`).waitFor();
    // The one on the move, whose charts have the most to show.
    await page.locator(`tr[data-vin="${VINS[2]}"]`).click();
    await page.locator('[data-values]:not([data-values="0"])').first().waitFor();
    await page.screenshot({ path: join(IMAGES, 'fleet-dashboard.png') });
    step('wrote docs/images/fleet-dashboard.png');
  } finally {
    await browser.close();
    // The vehicles first: a gateway gone before them leaves them reconnecting.
    await sim.stop();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loginPage(): Promise<void> {
  step('starting a protected route with GitHub and OIDC logins');
  const world = await startLoginWorld({}, { oidc: true });
  const browser = await launchChromium('*.test');
  try {
    await world.gw.addRoute({
      host: 'app.test',
      target: world.upstream.url,
      auth: { allow: ['github-org:acme'] },
    });
    const page = await browser.newPage({ viewport: { width: 900, height: 300 } });
    await page.goto(`${world.origin('app.test')}/`);
    await page.waitForSelector('a.provider');
    await page.screenshot({ path: join(IMAGES, 'login-page.png') });
    step('wrote docs/images/login-page.png');
  } finally {
    await browser.close();
    await world.stop();
  }
}

async function adminApp(): Promise<void> {
  step('starting a gateway with routes and tunnels for the admin app');
  const gw = await startTestGateway({ adminAppDir: await builtAdminApp() });
  const local = await startUpstream((_req, res) => res.end('hello'));
  const browser = await launchChromium('localhost');
  const agents = [];
  try {
    await gw.addRoute({ host: 'shop.example.com', target: 'http://127.0.0.1:3000' });
    await gw.addRoute({ host: 'api.example.com', path: '/v1', target: 'http://10.0.0.12:8080' });
    for (const name of ['alice-laptop', 'ci-runner']) {
      const tunnel = await createTunnel(gw, name);
      agents.push(await startAgent(gw, tunnel, local.url));
      await gw.addRoute({ host: `${name}.example.com`, tunnel: name });
    }
    await createTunnel(gw, 'staging-box');
    for (let i = 0; i < 12; i++) await gw.send('alice-laptop.example.com', `/items/${i}`);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`http://localhost:${gw.port}/`);
    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Tunnels', exact: true }).click();
    await page.locator('tr[data-tunnel="ci-runner"] [data-online="true"]').waitFor();
    await page.screenshot({ path: join(IMAGES, 'admin-app.png') });
    step('wrote docs/images/admin-app.png');
  } finally {
    for (const agent of agents) agent.stop();
    await browser.close();
    await local.close();
    await gw.stop();
  }
}

const PICTURES: Record<string, () => Promise<void>> = { dashboard, login: loginPage, admin: adminApp };
const asked = process.argv.slice(2);
mkdirSync(IMAGES, { recursive: true });
for (const [name, take] of Object.entries(PICTURES))
  if (asked.length === 0 || asked.includes(name)) await take();
// The pictures are written; the simulated vehicles' last sockets need not be waited for.
process.exit(0);
