/**
 * The pictures in the README and the guides, taken from a real run: `npm run screenshots` (after
 * `npm run build`: the tunnel's gateway and agent run from dist/). Starts the simulator of Tesla's
 * cloud with a few vehicles, a gateway whose receiver they stream to over mTLS, the dashboard as
 * operators and as a driver logged in with Tesla see it, a protected route and the login page in
 * front of it, a tunnel with its inspector, and the admin web app with a few routes and tunnels,
 * and photographs them in Debian's Chromium into docs/images/. Run it again when a page changes:
 * the pictures stay true. `npm run screenshots -- admin` takes only the pictures named (dashboard,
 * login, inspector, admin).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { manualClock } from '../src/core/clock.ts';
import { signSs256Jws } from '../src/fleet/ss256.ts';
import { validateSeed } from '../src/simulator/seed.ts';
import { startSimulator } from '../src/simulator/simulator.ts';
import { VirtualFleet } from '../src/simulator/vehicles/virtual-fleet.ts';
import { createTunnel, startAgent } from '../test/helpers/agent.ts';
import { createTunnelOn, waitForOutput } from '../test/helpers/agent-process.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { spawnCli, spawnServe } from '../test/helpers/cli-process.ts';
import { builtAdminApp, builtDashboard } from '../test/helpers/dashboard-build.ts';
import {
  CLIENT,
  DRIVER,
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
  const vehicle = (vin: string) => ({ vin, firmware: '2024.38.4', paired_domains: [DOMAIN] });
  // The driver who logs in with Tesla owns two of the three; an operator sees all of them.
  const seed = driverSeed(DOMAIN, VINS.slice(1).map(vehicle));
  const started = await startSimulator({
    seed: validateSeed({
      apps: seed.apps?.map((app) => ({
        ...app,
        redirect_uris: ['http://localhost:*', 'http://127.0.0.1:*'],
      })),
      accounts: [
        ...(seed.accounts ?? []),
        {
          email: 'neighbour@example.com',
          password: 'tesla',
          region: 'na',
          authorized_apps: [CLIENT.id],
          vehicles: [vehicle(VINS[0]!)],
        },
      ],
    }),
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
    env: {
      DASHBOARD_TOKEN: TOKEN,
      TESLA_CLIENT_ID: CLIENT.id,
      TESLA_CLIENT_SECRET: CLIENT.secret,
      TESLA_SIMULATOR: sim.url,
    },
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
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    await page.waitForSelector('[data-connection="open"]');
    step('logging in with Tesla as the driver of two of the vehicles');
    const driver = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await driver.goto(`${gw.url}/tesla/login`);
    await driver.fill('input[name="email"]', DRIVER.email);
    await driver.fill('input[name="password"]', DRIVER.password);
    await driver.click('button[type="submit"]');
    await driver.click('button[name="decision"][value="allow"]');
    await driver.waitForURL(`${gw.url}/tesla/report`);
    await driver.click('#live-dashboard');
    await driver.waitForSelector('[data-connection="open"]');
    step('streaming two simulated minutes');
    for (let second = 0; second < 120; second++) {
      sim.clock.advance(1000);
      vehicles!.tick();
      await page.waitForTimeout(25);
    }
    await page.locator(`tr[data-vin="${VINS[0]}"] [data-status="CONNECTED"]`).waitFor();
    // The one on the move, whose charts have the most to show.
    await page.locator(`tr[data-vin="${VINS[1]}"]`).click();
    await page.locator('[data-values]:not([data-values="0"])').first().waitFor();
    await page.screenshot({ path: join(IMAGES, 'fleet-dashboard.png') });
    step('wrote docs/images/fleet-dashboard.png');
    await driver.locator(`tr[data-vin="${VINS[1]}"]`).click();
    await driver.locator('[data-values]:not([data-values="0"])').first().waitFor();
    await driver.screenshot({ path: join(IMAGES, 'fleet-dashboard-tesla-login.png') });
    step('wrote docs/images/fleet-dashboard-tesla-login.png');
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

async function inspector(): Promise<void> {
  step('starting a gateway, a tunnel agent with its inspector, and a local server');
  const local = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/missing')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
      return;
    }
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'ord_7Hq2', status: 'accepted', received: body ? JSON.parse(body) : null }));
  });
  const admin = 'gk_screenshots-admin-key';
  const data = mkdtempSync(join(tmpdir(), 'gatehouse-screenshots-'));
  const gh = await spawnServe(['--data', data, '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: admin });
  const key = await createTunnelOn(gh.port, 'shop', admin);
  const agent = spawnCli([
    'tunnel',
    local.url,
    '--server',
    `http://127.0.0.1:${gh.port}`,
    '--name',
    'shop',
    '--key',
    key,
    '--inspect',
    '127.0.0.1:0',
  ]);
  const browser = await launchChromium();
  try {
    const printed = (await waitForOutput(agent, 'stderr', /Inspector: (http:\/\/\S+#token=\S+)/))[1]!;
    await waitForOutput(agent, 'stderr', /● online/);
    const send = async (method: string, path: string, body?: string) => {
      const res = await request(`http://127.0.0.1:${gh.port}${path}`, {
        method: method as 'GET',
        headers: { host: 'shop.localhost', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
      await res.body.dump();
    };
    await send('GET', '/api/orders?page=1');
    await send('GET', '/missing/favicon.ico');
    await send('POST', '/api/orders', JSON.stringify({ sku: 'tea-green-250g', quantity: 2, gift: true }));
    await send('GET', '/api/orders/ord_7Hq2');
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(printed);
    await page.locator('#rows tr', { hasText: 'POST' }).click();
    await page.locator('#request pre.json').waitFor();
    await page.screenshot({ path: join(IMAGES, 'tunnel-inspector.png') });
    step('wrote docs/images/tunnel-inspector.png');
  } finally {
    await browser.close();
    await agent.stop();
    await gh.stop();
    await local.close();
    rmSync(data, { recursive: true, force: true });
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

const PICTURES: Record<string, () => Promise<void>> = {
  dashboard,
  login: loginPage,
  inspector,
  admin: adminApp,
};
const asked = process.argv.slice(2);
mkdirSync(IMAGES, { recursive: true });
for (const [name, take] of Object.entries(PICTURES))
  if (asked.length === 0 || asked.includes(name)) await take();
// The pictures are written; the simulated vehicles' last sockets need not be waited for.
process.exit(0);
