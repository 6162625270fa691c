import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { createFleetApp } from '../src/simulator/fleet-app.ts';
import { DEFAULT_SEED_INPUT, type defaultSeed, validateSeed } from '../src/simulator/seed.ts';
import { SIM_ORIGIN, type SimulatorParts, simulatorParts } from './helpers/simulator-parts.ts';

// One region's simulated Fleet API (NA), called with app.request(): no socket.
// test/fleet-simulator-vehicles.test.ts, -partner and -telemetry go through a listening simulator.

const CLIENT = 'gatehouse-sim-client';
const BLUE = '5YJ3E7EB2NF000001';
const OWL = '7SAYGDEE1PF000002';
const KIEL = 'LRW3E7EK4PC000003';
const ALL_SCOPES = ['openid', 'offline_access', 'user_data', 'vehicle_device_data', 'vehicle_location'];

/** The NA Fleet API over a fresh world, with tokens of each kind a test needs. */
async function fleetApp(options: { registered?: boolean; seed?: ReturnType<typeof defaultSeed> } = {}) {
  const parts = await simulatorParts(options.seed);
  const { world, tokens } = parts;
  const app = new Hono().route(
    '/na',
    createFleetApp({ ...parts, region: 'na', reach: { trust: [] }, logger: undefined }),
  );
  if (options.registered !== false) register(parts);
  const account = (email: string) => world.accountByEmail(email)!;
  const driver = account('driver@example.com');
  const user = (scopes = ALL_SCOPES, who = driver) =>
    tokens.issue({ clientId: CLIENT, scopes, account: who, region: who.region });
  const partner = (region: 'na' | 'eu' = 'na') =>
    tokens.issue({ clientId: CLIENT, scopes: ['openid', 'vehicle_device_data'], region });
  const bearer = {
    user: (await user()).token,
    openidOnly: (await user(['openid'])).token,
    euUser: (await user(ALL_SCOPES, account('fahrer@example.eu'))).token,
    partner: (await partner()).token,
    euPartner: (await partner('eu')).token,
  };
  const call = async (
    request: string,
    token: string | undefined,
    body?: unknown,
    type = 'application/json',
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> => {
    const [method, path] = request.split(' ') as [string, string];
    const res = await app.request(`${SIM_ORIGIN}/na${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': type }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  // biome-ignore lint/suspicious/noExplicitAny: Tesla's answers, each pinned down by the test's assertions
  const response = async (request: string, token: string, body?: unknown): Promise<any> => {
    const res = await call(request, token, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body['response'];
  };
  return { ...parts, app, bearer, call, response };
}

/** The app's registration in NA, as POST /api/1/partner_accounts leaves it (without fetching a key). */
function register({ world, clock }: SimulatorParts): void {
  world.savePartner({
    accountId: 'partner-1',
    clientId: CLIENT,
    region: 'na',
    domain: 'localhost',
    publicPoint: new Uint8Array(65).fill(4, 0, 1),
    createdAt: clock(),
    updatedAt: clock(),
  });
}

describe('simulator Fleet API: vehicles', () => {
  test("the user's region, before the app registered there too", async () => {
    const { response, bearer, urls } = await fleetApp({ registered: false });
    assert.deepEqual(await response('GET /api/1/users/region', bearer.user), {
      region: 'na',
      fleet_api_base_url: urls.regionBaseUrl('na'),
    });
  });

  test('vehicles: a page at a time, and one by VIN', async () => {
    const { call, response, bearer } = await fleetApp();
    const page = await call('GET /api/1/vehicles?per_page=1&page=2', bearer.user);
    assert.deepEqual(
      (page.body['response'] as { vin: string }[]).map((v) => v.vin),
      [OWL],
    );
    assert.deepEqual(page.body['pagination'], {
      previous: 1,
      next: null,
      current: 2,
      per_page: 1,
      count: 2,
      pages: 2,
    });
    assert.equal(page.body['count'], 2);
    const one = await response(`GET /api/1/vehicles/${BLUE}`, bearer.user);
    assert.equal(one.display_name, 'Blue Bolt');
    assert.equal(one.state, 'online');
  });

  test('an asleep vehicle answers 408 until woken, and wakes after wake_up_seconds', async () => {
    const { call, response, bearer, clock, world } = await fleetApp();
    const asleep = await call(`GET /api/1/vehicles/${OWL}/vehicle_data`, bearer.user);
    assert.equal(asleep.status, 408);
    assert.equal((await response(`POST /api/1/vehicles/${OWL}/wake_up`, bearer.user, {})).state, 'asleep');
    clock.advance(world.seed.wake_up_seconds * 1000);
    const data = await response(
      `GET /api/1/vehicles/${OWL}/vehicle_data?endpoints=charge_state`,
      bearer.user,
    );
    assert.equal(data.vin, OWL);
    assert.ok(data.charge_state);
    assert.equal(data.drive_state, undefined);
  });

  test('fleet status: paired and unpaired VINs, leaving out those it does not know', async () => {
    const { response, bearer, world } = await fleetApp();
    world.vehicles.get(BLUE)!.pairedDomains.add('localhost');
    const status = await response('POST /api/1/vehicles/fleet_status', bearer.partner, {
      vins: [BLUE, OWL.toLowerCase(), '5YJ3E7EB2NF999999'],
    });
    assert.deepEqual(status.key_paired_vins, [BLUE]);
    assert.deepEqual(status.unpaired_vins, [OWL]);
    assert.deepEqual(Object.keys(status.vehicle_info), [BLUE, OWL]);
  });
});

describe('simulator Fleet API: partner and telemetry configuration', () => {
  test('the registered public key, telemetry errors, and a configuration that is not there yet', async () => {
    const { response, bearer } = await fleetApp();
    assert.equal(
      (await response('GET /api/1/partner_accounts/public_key?domain=localhost', bearer.partner)).public_key,
      `04${'00'.repeat(64)}`,
    );
    assert.deepEqual(await response('GET /api/1/partner_accounts/fleet_telemetry_errors', bearer.partner), {
      fleet_telemetry_errors: [],
    });
    assert.deepEqual(await response(`GET /api/1/vehicles/${BLUE}/fleet_telemetry_config`, bearer.partner), {
      synced: false,
      config: null,
      limit_reached: false,
      key_paired: false,
    });
    assert.deepEqual(
      await response(`DELETE /api/1/vehicles/${BLUE}/fleet_telemetry_config`, bearer.partner),
      {
        updated_vehicles: 0,
      },
    );
    assert.deepEqual(await response(`GET /api/1/vehicles/${BLUE}/fleet_telemetry_errors`, bearer.partner), {
      fleet_telemetry_errors: [],
    });
  });

  test('before registering in the region: 412 with a bare error; registering checks the domain', async () => {
    const { call, bearer } = await fleetApp({ registered: false });
    const refused = await call('GET /api/1/vehicles', bearer.user);
    assert.equal(refused.status, 412);
    assert.deepEqual(Object.keys(refused.body), ['error']);
    assert.match(String(refused.body['error']), /must be registered in the current region/);
    const registering = await call('POST /api/1/partner_accounts', bearer.partner, {
      domain: 'evil.example',
    });
    assert.equal(registering.status, 422);
  });

  test('over the rate limit: 429 with when to try again', async () => {
    const seed = validateSeed({ ...DEFAULT_SEED_INPUT, rate_limits: { requests_per_minute: 2 } });
    const { call, bearer, clock } = await fleetApp({ seed });
    for (let i = 0; i < 2; i++) assert.equal((await call('GET /api/1/vehicles', bearer.user)).status, 200);
    const limited = await call('GET /api/1/vehicles', bearer.user);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '60');
    clock.advance(60_000);
    assert.equal((await call('GET /api/1/vehicles', bearer.user)).status, 200);
  });

  test('a token past its lifetime: 401 token expired', async () => {
    const { call, bearer, clock, world } = await fleetApp();
    clock.advance(world.seed.token_lifetimes.access_token_seconds * 1000);
    const res = await call('GET /api/1/vehicles', bearer.user);
    assert.equal(res.status, 401);
    assert.equal(res.body['error'], 'token expired (401)');
  });
});

describe("simulator Fleet API: what it refuses, as Tesla's envelope", () => {
  type Who = 'none' | 'garbage' | 'user' | 'openidOnly' | 'euUser' | 'partner' | 'euPartner';
  const BIG = { vins: [BLUE], pad: 'x'.repeat(256 * 1024) };
  const VEHICLES = 'GET /api/1/vehicles';
  const DATA = `GET /api/1/vehicles/${BLUE}/vehicle_data`;
  const ERRORS = 'GET /api/1/partner_accounts/fleet_telemetry_errors';
  const POST_STATUS = 'POST /api/1/vehicles/fleet_status';
  const TELEMETRY_CONFIG = 'POST /api/1/vehicles/fleet_telemetry_config';
  const NO_BEARER = '401 invalid bearer token';
  const OUT_OF_REGION = `421 user out of region, use base URL: ${SIM_ORIGIN}/eu, see https://developer.tesla.com/docs/fleet-api/getting-started/base-urls`;
  const PROXY_REQUIRED =
    '412 This endpoint must be called through the Vehicle Command HTTP Proxy. Refer to https://developer.tesla.com/docs/fleet-api/fleet-telemetry for instructions setting up fleet telemetry';
  // [what is wrong, request, who sends it, body, the answer: status and Tesla's error text]
  const cases: [name: string, request: string, who: Who, body: unknown, answer: string][] = [
    ['no token', VEHICLES, 'none', undefined, NO_BEARER],
    ['a token not signed here', VEHICLES, 'garbage', undefined, NO_BEARER],
    ["a partner token for EU's base URL", VEHICLES, 'euPartner', undefined, NO_BEARER],
    ['an EU user', VEHICLES, 'euUser', undefined, OUT_OF_REGION],
    ['a user endpoint, partner token', VEHICLES, 'partner', undefined, '403 Expected user account'],
    ['a partner endpoint, user token', ERRORS, 'user', undefined, '403 Expected partner account'],
    ['a scope the token lacks', VEHICLES, 'openidOnly', undefined, '403 Unauthorized missing scopes'],
    ['page 0', `${VEHICLES}?page=0`, 'user', undefined, '400 invalid_field'],
    ['an unknown data endpoint', `${DATA}?endpoints=x`, 'user', undefined, '400 invalid_field'],
    ['a vehicle of another account', `${VEHICLES}/${KIEL}`, 'user', undefined, `404 ${KIEL} not_found`],
    ['a POST as text/plain', POST_STATUS, 'partner', 'text', '406 not acceptable'],
    ['a body that is not JSON', POST_STATUS, 'partner', '{"vins":', '400 invalid_request'],
    ['a JSON array', POST_STATUS, 'partner', [BLUE], '400 invalid_request'],
    ['no vins', POST_STATUS, 'partner', { vin: BLUE }, '400 invalid_field'],
    ['vins that are not strings', POST_STATUS, 'partner', { vins: [1] }, '400 invalid_field'],
    ['a body over 256 KiB', POST_STATUS, 'partner', BIG, '400 invalid_request'],
    ['registering no domain', 'POST /api/1/partner_accounts', 'partner', {}, '400 invalid_field'],
    ['the unsigned telemetry call', TELEMETRY_CONFIG, 'partner', {}, PROXY_REQUIRED],
    ['an unknown endpoint', 'GET /api/1/nothing', 'partner', undefined, '404 not_found'],
  ];
  for (const [name, request, who, body, answer] of cases) {
    test(`${name}: ${answer.split(/[,.]/)[0]}`, async () => {
      const { call, bearer } = await fleetApp();
      const token = who === 'none' ? undefined : who === 'garbage' ? 'not.a.token' : bearer[who];
      const text = body === 'text';
      const res = await call(request, token, text ? '{}' : body, text ? 'text/plain' : undefined);
      const space = answer.indexOf(' ');
      assert.equal(res.status, Number(answer.slice(0, space)));
      assert.equal(res.body['error'], answer.slice(space + 1));
      assert.equal(res.body['response'], null);
      assert.match(String(res.body['txid']), /^[0-9a-f]{32}$/);
      assert.equal(res.headers.get('x-txid'), res.body['txid']);
    });
  }
});
