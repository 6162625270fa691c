import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { signSs256Jws } from '../src/fleet/ss256.ts';
import { VirtualFleet } from '../src/simulator/vehicles/virtual-fleet.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtDashboard } from './helpers/dashboard-build.ts';
import {
  driverSeed,
  fleet,
  newFleetKey,
  partnerToken,
  registerPartner,
  startTestSimulator,
} from './helpers/fleet-simulator.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

// The whole path on one machine: the simulator accepts a signed configuration, its vehicle
// connects to Gatehouse's receiver over mTLS with a certificate from the simulator's CA, streams
// Tesla's wire format, and a browser on the dashboard sees the values.
const DOMAIN = 'app.example.test';
const TELEMETRY_HOST = 'telemetry.example.test';
const VIN = '5YJ3E7EB2NF000001';
const TOKEN = 'dashboard-shared-token-0123456789';

test('a simulated vehicle streams to the receiver and its values appear on the dashboard page', async (t) => {
  const dir = tempDir('gatehouse-stream-dashboard-');
  const resolve = new Map<string, { address: string; port: number }>();
  const trust: string[] = [];
  let vehicles: VirtualFleet | undefined;
  const sim = await startTestSimulator({
    seed: driverSeed(DOMAIN, [{ vin: VIN, firmware: '2024.38.4', paired_domains: [DOMAIN] }]),
    resolve,
    trust,
    streams: (deps) => {
      vehicles = new VirtualFleet(deps, { realTimers: false, seed: 'e2e' });
      return vehicles;
    },
  });
  const key = newFleetKey();
  assert.equal((await registerPartner(sim, { resolve, trust }, dir, DOMAIN, key)).status, 200);

  // Gatehouse: the receiver with a certificate for the telemetry host, trusting the vehicles' CA.
  const server = await sim.ca.issueServerCertificate([TELEMETRY_HOST]);
  const files = {
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
    ca: join(dir, 'vehicles-ca.pem'),
  };
  writeFileSync(files.cert, server.certPem);
  writeFileSync(files.key, server.keyPem);
  writeFileSync(files.ca, sim.ca.certPem);
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
  t.after(() => gw.stop());
  resolve.set(TELEMETRY_HOST, { address: '127.0.0.1', port: gw.gateway.telemetry!.port });

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
  await page.waitForSelector('[data-connection="open"]');

  const config = {
    hostname: TELEMETRY_HOST,
    port: 443,
    ca: sim.ca.certPem,
    exp: Math.floor(sim.clock() / 1000) + 86_400,
    prefer_typed: true,
    fields: {
      VehicleSpeed: { interval_seconds: 1 },
      Soc: { interval_seconds: 1 },
      Location: { interval_seconds: 1 },
    },
  };
  const sent = await fleet(
    sim,
    await partnerToken(sim),
    'POST',
    '/api/1/vehicles/fleet_telemetry_config_jws',
    {
      body: { vins: [VIN], token: signSs256Jws(key, config) },
    },
  );
  assert.equal(sent.status, 200, sent.text);

  const row = page.locator(`tr[data-vin="${VIN}"]`);
  await waitFor(
    'the vehicle connected on the page',
    async () => {
      sim.clock.advance(1000);
      vehicles!.tick();
      return (await row.locator('[data-status="CONNECTED"]').count()) === 1;
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  const speed = await waitFor(
    'a speed and a charge on the page',
    async () => {
      sim.clock.advance(1000);
      vehicles!.tick();
      const [shown, soc] = await Promise.all([
        row.locator('[data-field="speed"]').textContent(),
        row.locator('[data-field="soc"]').textContent(),
      ]);
      return shown && /\d/.test(shown) && soc && /\d/.test(soc) ? shown : '';
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.match(speed, /^\d+(\.\d+)?$/);
  assert.match((await page.textContent('[data-field="location"]')) ?? '', /^-?\d+\.\d+, -?\d+\.\d+$/);

  // What the page shows is what the receiver keeps: the admin API has the same vehicle.
  const state = await gw.api('GET', `/api/v1/fleet/vehicles/${VIN}`);
  assert.equal(state.status, 200);
  assert.equal(state.body.status, 'CONNECTED');
  assert.equal(typeof state.body.fields.VehicleSpeed, 'number');
});
