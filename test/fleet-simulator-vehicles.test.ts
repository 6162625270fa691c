import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  ASLEEP_VIN,
  control,
  EU_DRIVER,
  fleet,
  newFleetKey,
  ONLINE_VIN,
  partnerToken,
  registerPartner,
  seedWith,
  startTestSimulator,
  userTokens,
} from './helpers/fleet-simulator.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const dir = tempDir('gatehouse-sim-vehicles-');
const reach = { resolve: new Map<string, { address: string; port: number }>(), trust: [] as string[] };
const sim = await startTestSimulator({
  seed: seedWith(['app.example.test'], { rate_limits: { vehicle_data_per_minute: 3 }, wake_up_seconds: 10 }),
  ...reach,
});
let access = '';

before(async () => {
  const registered = await registerPartner(sim, reach, dir, 'app.example.test', newFleetKey());
  assert.equal(registered.status, 200, registered.text);
  ({ access } = await userTokens(sim));
});

describe('vehicles', () => {
  test('before the app registers in a region, user calls there get 412', async () => {
    const eu = await userTokens(sim, EU_DRIVER);
    const res = await fleet(sim, eu.access, 'GET', '/api/1/vehicles', { region: 'eu' });
    assert.equal(res.status, 412);
    assert.match(String(res.body['error']), /must be registered in the current region/);
  });

  test('lists the account’s vehicles with pagination', async () => {
    const res = await fleet(sim, access, 'GET', '/api/1/vehicles?per_page=1&page=2');
    assert.equal(res.status, 200);
    const list = res.body['response'] as Record<string, unknown>[];
    assert.equal(list.length, 1);
    assert.equal(list[0]!['vin'], ASLEEP_VIN);
    assert.equal(list[0]!['state'], 'asleep');
    assert.equal(res.body['count'], 2);
    assert.deepEqual(res.body['pagination'], {
      previous: 1,
      next: null,
      current: 2,
      per_page: 1,
      count: 2,
      pages: 2,
    });
  });

  test('one vehicle by VIN or id; an unknown one is <VIN> not_found', async () => {
    const byVin = await fleet(sim, access, 'GET', `/api/1/vehicles/${ONLINE_VIN}`);
    assert.equal(byVin.status, 200);
    const vehicle = byVin.body['response'] as Record<string, unknown>;
    const byId = await fleet(sim, access, 'GET', `/api/1/vehicles/${vehicle['id_s']}`);
    assert.equal((byId.body['response'] as Record<string, unknown>)['vin'], ONLINE_VIN);
    const missing = await fleet(sim, access, 'GET', '/api/1/vehicles/5YJ3E7EB2NF999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body['error'], '5YJ3E7EB2NF999999 not_found');
  });

  test('vehicle_data changes with the clock; the location only with location_data', async () => {
    const first = await fleet(sim, access, 'GET', `/api/1/vehicles/${ONLINE_VIN}/vehicle_data`);
    assert.equal(first.status, 200, first.text);
    const data = first.body['response'] as Record<string, Record<string, unknown>>;
    assert.equal(data['vin'] as unknown, ONLINE_VIN);
    assert.equal(typeof data['charge_state']!['battery_level'], 'number');
    assert.equal(data['drive_state']!['latitude'], undefined);
    assert.ok(data['vehicle_state']!['car_version']);
    const odometer = data['vehicle_state']!['odometer'] as number;
    assert.ok(odometer >= 2_000 && odometer < 50_000, `a used car's odometer, not ${odometer} mi`);
    sim.clock.advance(20 * 60_000);
    const later = await fleet(
      sim,
      access,
      'GET',
      `/api/1/vehicles/${ONLINE_VIN}/vehicle_data?endpoints=location_data;drive_state;charge_state`,
    );
    const moved = later.body['response'] as Record<string, Record<string, unknown>>;
    assert.equal(typeof moved['drive_state']!['latitude'], 'number');
    assert.equal(moved['climate_state'], undefined);
    assert.notEqual(moved['charge_state']!['timestamp'], data['charge_state']!['timestamp']);
  });

  test('an asleep vehicle is 408 until woken, and comes online by the clock', async () => {
    const asleep = await fleet(sim, access, 'GET', `/api/1/vehicles/${ASLEEP_VIN}/vehicle_data`);
    assert.equal(asleep.status, 408);
    assert.equal(asleep.body['error'], 'vehicle unavailable: vehicle is offline or asleep');
    const woken = await fleet(sim, access, 'POST', `/api/1/vehicles/${ASLEEP_VIN}/wake_up`, { body: {} });
    assert.equal(woken.status, 200);
    assert.equal((woken.body['response'] as Record<string, unknown>)['state'], 'asleep');
    sim.clock.advance(10_000);
    const now = await fleet(sim, access, 'GET', `/api/1/vehicles/${ASLEEP_VIN}`);
    assert.equal((now.body['response'] as Record<string, unknown>)['state'], 'online');
    assert.equal((await fleet(sim, access, 'GET', `/api/1/vehicles/${ASLEEP_VIN}/vehicle_data`)).status, 200);
  });

  test('the control API puts a vehicle offline', async () => {
    const set = await control(sim, 'POST', `/sim/vehicles/${ASLEEP_VIN}`, { state: 'offline' });
    assert.equal(set.status, 200);
    assert.equal((await fleet(sim, access, 'GET', `/api/1/vehicles/${ASLEEP_VIN}/vehicle_data`)).status, 408);
    const bad = await control(sim, 'POST', `/sim/vehicles/${ASLEEP_VIN}`, { state: 'driving' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['message']), /online, asleep, offline/);
  });

  test('over the per-minute budget: 429 with the RateLimit headers', async () => {
    sim.clock.advance(60_000);
    const path = `/api/1/vehicles/${ONLINE_VIN}/vehicle_data?endpoints=charge_state`;
    for (let i = 0; i < 3; i++) assert.equal((await fleet(sim, access, 'GET', path)).status, 200);
    const limited = await fleet(sim, access, 'GET', path);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['ratelimit-limit'], '3');
    assert.equal(limited.headers['ratelimit-remaining'], '0');
    assert.equal(limited.headers['ratelimit-reset'], '60');
    assert.equal(limited.headers['retry-after'], '60');
    assert.equal(limited.body['error'], 'Retry in 60 seconds');
    sim.clock.advance(60_000);
    assert.equal((await fleet(sim, access, 'GET', path)).status, 200);
  });

  test('a user from another region gets 421 naming their base URL', async () => {
    const eu = await userTokens(sim, EU_DRIVER);
    const res = await fleet(sim, eu.access, 'GET', '/api/1/vehicles');
    assert.equal(res.status, 421);
    assert.match(String(res.body['error']), new RegExp(`use base URL: ${sim.regionBaseUrl('eu')}`));
    const region = await fleet(sim, eu.access, 'GET', '/api/1/users/region');
    assert.deepEqual(region.body['response'], { region: 'eu', fleet_api_base_url: sim.regionBaseUrl('eu') });
  });

  test('a token without the scope gets 403 Unauthorized missing scopes', async () => {
    const narrow = await userTokens(sim, { scope: 'openid user_data' });
    const res = await fleet(sim, narrow.access, 'GET', '/api/1/vehicles');
    assert.equal(res.status, 403);
    assert.equal(res.body['error'], 'Unauthorized missing scopes');
  });

  test('a POST without Content-Type: application/json is 406', async () => {
    const res = await fleet(sim, access, 'POST', `/api/1/vehicles/${ONLINE_VIN}/wake_up`, {
      contentType: null,
    });
    assert.equal(res.status, 406);
    assert.ok(res.headers['x-txid']);
  });

  test('fleet_status tells paired from unpaired, for partner and user tokens', async () => {
    await control(sim, 'POST', `/sim/vehicles/${ONLINE_VIN}/pair`, { domain: 'app.example.test' });
    for (const token of [access, await partnerToken(sim)]) {
      const res = await fleet(sim, token, 'POST', '/api/1/vehicles/fleet_status', {
        body: { vins: [ONLINE_VIN, ASLEEP_VIN] },
      });
      assert.equal(res.status, 200, res.text);
      const status = res.body['response'] as Record<string, unknown>;
      assert.deepEqual(status['key_paired_vins'], [ONLINE_VIN]);
      assert.deepEqual(status['unpaired_vins'], [ASLEEP_VIN]);
      const info = (status['vehicle_info'] as Record<string, Record<string, unknown>>)[ONLINE_VIN]!;
      assert.equal(info['firmware_version'], '2024.26.5');
      assert.equal(info['vehicle_command_protocol_required'], true);
    }
  });
});
