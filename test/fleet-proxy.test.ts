import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { request } from 'undici';
import { generateFleetKeyFiles } from '../src/fleet/keys.ts';
import { TELEMETRY_AUDIENCE } from '../src/fleet/ss256.ts';
import { selfSigned } from './helpers/certs.ts';
import {
  ASLEEP_VIN,
  control,
  ONLINE_VIN,
  partnerToken,
  registerPartner,
  seedWith,
  startTestSimulator,
} from './helpers/fleet-simulator.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const DOMAIN = 'app.example.test';
const dir = tempDir();
const config = {
  hostname: 'telemetry.example.test',
  port: 4443,
  ca: readFileSync(selfSigned(dir, 'telemetry', ['telemetry.example.test']).cert, 'utf8'),
  fields: { VehicleSpeed: { interval_seconds: 10 }, Soc: { interval_seconds: 60 } },
  alert_types: ['service'],
  exp: 1_900_000_000,
};

const { privateKeyPath, key } = generateFleetKeyFiles(dir);
const reach = { resolve: new Map<string, { address: string; port: number }>(), trust: [] as string[] };
const sim = await startTestSimulator({
  seed: seedWith([DOMAIN]),
  resolve: reach.resolve,
  trust: reach.trust,
});
const registered = await registerPartner(sim, reach, dir, DOMAIN, key);
assert.equal(registered.status, 200, registered.text);
assert.equal(
  (await control(sim, 'POST', `/sim/vehicles/${ONLINE_VIN}/pair`, { domain: DOMAIN })).status,
  200,
);
const token = await partnerToken(sim);
/** Every call the proxy makes to the Fleet API itself (not those it forwards as a proxy). */
const signedCalls: string[] = [];
const gw: TestGateway = await startTestGateway({
  flags: { 'fleet-key': privateKeyPath },
  fleetFetch: (input, init) => {
    signedCalls.push(String(input));
    return fetch(input, init);
  },
});
after(() => gw.stop());
await gw.addRoute({ kind: 'fleet-proxy', host: 'tesla-proxy.test', target: sim.regionBaseUrl('na') });

describe('a fleet-proxy route: tools written for tesla-http-proxy, unchanged', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(`${gw.url}${path}`, {
      method: 'POST',
      headers: {
        host: 'tesla-proxy.test',
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('an unsigned config is signed with the fleet key and accepted by the vehicle', async () => {
    const res = await post('/api/1/vehicles/fleet_telemetry_config', {
      vins: [ONLINE_VIN, ASLEEP_VIN],
      config,
    });
    const body = (await res.body.json()) as {
      response: { updated_vehicles: number; skipped_vehicles: Record<string, string[]> };
    };
    assert.equal(res.statusCode, 200, JSON.stringify(body));
    assert.deepEqual(signedCalls, [`${sim.regionBaseUrl('na')}/api/1/vehicles/fleet_telemetry_config_jws`]);
    assert.equal(body.response.updated_vehicles, 1);
    assert.deepEqual(body.response.skipped_vehicles['missing_key'], [ASLEEP_VIN]);

    // Any other call passes through unchanged: the vehicle's config as Tesla holds it.
    const got = await request(`${gw.url}/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_config`, {
      headers: { host: 'tesla-proxy.test', authorization: `Bearer ${token}` },
    });
    const answer = (await got.body.json()) as {
      response: { synced: boolean; config: Record<string, unknown> };
    };
    assert.equal(got.statusCode, 200);
    assert.equal(answer.response.config['hostname'], config.hostname);
    assert.equal(answer.response.config['iss'], Buffer.from(key.publicPoint).toString('base64'));
    assert.equal(answer.response.config['aud'], TELEMETRY_AUDIENCE);
    assert.deepEqual(answer.response.config['fields'], config.fields);
    const errors = await request(`${gw.url}/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_errors`, {
      headers: { host: 'tesla-proxy.test', authorization: `Bearer ${token}` },
    });
    assert.deepEqual(
      ((await errors.body.json()) as { response: { fleet_telemetry_errors: unknown[] } }).response
        .fleet_telemetry_errors,
      [],
    );
  });

  test('a config in the shorthand tools send (no exp, fields as seconds) is completed, then signed', async () => {
    const { exp: _exp, fields: _fields, ...rest } = config;
    const res = await post('/api/1/vehicles/fleet_telemetry_config', {
      vins: [ONLINE_VIN],
      config: { ...rest, fields: { VehicleSpeed: 5 } },
    });
    assert.equal(res.statusCode, 200, await res.body.text());
    const got = await request(`${gw.url}/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_config`, {
      headers: { host: 'tesla-proxy.test', authorization: `Bearer ${token}` },
    });
    const stored = ((await got.body.json()) as { response: { config: Record<string, unknown> } }).response
      .config;
    assert.deepEqual(stored['fields'], { VehicleSpeed: { interval_seconds: 5 } });
    assert.ok(Number(stored['exp']) > Date.now() / 1000, 'a default exp in the future');
  });

  test("Tesla's own answer comes back when it refuses (a bad token)", async () => {
    const res = await post(
      '/api/1/vehicles/fleet_telemetry_config',
      { vins: [ONLINE_VIN], config },
      { authorization: 'Bearer nope' },
    );
    assert.equal(res.statusCode, 401);
    assert.match(await res.body.text(), /invalid bearer token|token/);
  });

  const badBodies: [string, string, number, RegExp][] = [
    ['not JSON', '{vins', 400, /not JSON/],
    ['no vins', JSON.stringify({ config }), 400, /vins: must be a non-empty list/],
    ['vins not strings', JSON.stringify({ vins: [1], config }), 400, /vins/],
    ['no config', JSON.stringify({ vins: [ONLINE_VIN] }), 400, /config: must be the telemetry configuration/],
    [
      'a config without fields',
      JSON.stringify({ vins: [ONLINE_VIN], config: { hostname: 'x' } }),
      400,
      /fields/,
    ],
    [
      'a ca that is a public key',
      JSON.stringify({ vins: [ONLINE_VIN], config: { ...config, ca: key.publicPem } }),
      400,
      /ca/,
    ],
    [
      'an exp in the past',
      JSON.stringify({ vins: [ONLINE_VIN], config: { ...config, exp: 1_000_000_000 } }),
      400,
      /in the past/,
    ],
    [
      'a body over 1 MiB',
      JSON.stringify({ vins: [ONLINE_VIN], config, pad: 'x'.repeat(1024 * 1024) }),
      413,
      /larger than/,
    ],
  ];
  for (const [name, body, status, says] of badBodies) {
    test(`${name} is refused before anything is sent`, async () => {
      const calls = signedCalls.length;
      const res = await post('/api/1/vehicles/fleet_telemetry_config', body);
      assert.equal(res.statusCode, status);
      assert.match(await res.body.text(), says);
      assert.equal(signedCalls.length, calls, 'nothing was sent to Tesla');
    });
  }

  test('without a private key the proxy says how to give one', async (t) => {
    const pubOnly = join(dir, 'only-public.pem');
    writeFileSync(pubOnly, key.publicPem);
    const plain = await startTestGateway({ env: { PUBLIC_KEY_PATH: pubOnly } });
    t.after(() => plain.stop());
    await plain.addRoute({ kind: 'fleet-proxy', host: 'tesla-proxy.test', target: sim.regionBaseUrl('na') });
    const res = await request(`${plain.url}/api/1/vehicles/fleet_telemetry_config`, {
      method: 'POST',
      headers: { host: 'tesla-proxy.test', 'content-type': 'application/json' },
      body: JSON.stringify({ vins: [ONLINE_VIN], config }),
    });
    assert.equal(res.statusCode, 500);
    assert.match(await res.body.text(), /--fleet-key/);
  });
});
