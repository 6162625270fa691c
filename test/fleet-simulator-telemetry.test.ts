import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { signSs256Jws, TELEMETRY_AUDIENCE } from '../src/fleet/ss256.ts';
import type { SeedInput } from '../src/simulator/seed.ts';
import {
  ASLEEP_VIN,
  control,
  DRIVER,
  fleet,
  newFleetKey,
  ONLINE_VIN,
  partnerToken,
  registerPartner,
  startTestSimulator,
  userTokens,
} from './helpers/fleet-simulator.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const OLD_FIRMWARE_VIN = '5YJ3E7EB2NF000011';
const OLD_HARDWARE_VIN = '5YJSA1E2XNF000012';
const FULL_VIN = '5YJ3E7EB2NF000013';
const DOMAIN = 'app.example.test';

const seed: SeedInput = {
  apps: [
    {
      client_id: 'gatehouse-sim-client',
      client_secret: 'gatehouse-sim-secret',
      redirect_uris: ['http://localhost:*'],
      allowed_origins: [DOMAIN],
    },
  ],
  accounts: [
    {
      ...DRIVER,
      region: 'na',
      authorized_apps: ['gatehouse-sim-client'],
      vehicles: [
        { vin: ONLINE_VIN, firmware: '2024.26.5', paired_domains: [DOMAIN] },
        { vin: ASLEEP_VIN, firmware: '2024.32.7', state: 'asleep' },
        { vin: OLD_FIRMWARE_VIN, firmware: '2024.20.1', paired_domains: [DOMAIN] },
        {
          vin: OLD_HARDWARE_VIN,
          firmware: '2024.38.1',
          paired_domains: [DOMAIN],
          unsupported_hardware: true,
        },
        { vin: FULL_VIN, firmware: '2024.38.1', paired_domains: [DOMAIN], other_telemetry_configs: 5 },
      ],
    },
  ],
};

const dir = tempDir('gatehouse-sim-telemetry-');
const reach = { resolve: new Map<string, { address: string; port: number }>(), trust: [] as string[] };
const sim = await startTestSimulator({ seed, ...reach });
const key = newFleetKey();
let partner = '';

const config = {
  hostname: 'telemetry.example.test',
  port: 4443,
  ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  fields: { VehicleSpeed: { interval_seconds: 10 }, Soc: { interval_seconds: 60, minimum_delta: 1 } },
  alert_types: ['service'],
  exp: Math.floor(Date.UTC(2027, 0, 1) / 1000),
};

const send = (vins: string[], token: string, bearer = partner) =>
  fleet(sim, bearer, 'POST', '/api/1/vehicles/fleet_telemetry_config_jws', { body: { vins, token } });
const read = (vin: string, bearer = partner) =>
  fleet(sim, bearer, 'GET', `/api/1/vehicles/${vin}/fleet_telemetry_config`);

before(async () => {
  const registered = await registerPartner(sim, reach, dir, DOMAIN, key);
  assert.equal(registered.status, 200, registered.text);
  partner = await partnerToken(sim);
});

describe('signed telemetry configuration', () => {
  test('a config signed with the registered key is synced and shown with iss and aud', async () => {
    const res = await send([ONLINE_VIN], signSs256Jws(key, config));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body['response'], {
      updated_vehicles: 1,
      skipped_vehicles: {
        missing_key: [],
        unsupported_hardware: [],
        unsupported_firmware: [],
        max_configs: [],
      },
    });
    const shown = (await read(ONLINE_VIN)).body['response'] as Record<string, unknown>;
    assert.equal(shown['synced'], true);
    assert.equal(shown['key_paired'], true);
    assert.equal(shown['limit_reached'], false);
    const claims = shown['config'] as Record<string, unknown>;
    assert.equal(claims['hostname'], 'telemetry.example.test');
    assert.equal(claims['port'], 4443);
    assert.equal(claims['aud'], TELEMETRY_AUDIENCE);
    assert.equal(claims['iss'], Buffer.from(key.publicPoint).toString('base64'));
    const errors = await fleet(sim, partner, 'GET', '/api/1/partner_accounts/fleet_telemetry_errors');
    assert.deepEqual(errors.body['response'], { fleet_telemetry_errors: [] });
  });

  test('each reason to skip a vehicle has its list', async () => {
    const res = await send(
      [ASLEEP_VIN, OLD_FIRMWARE_VIN, OLD_HARDWARE_VIN, FULL_VIN],
      signSs256Jws(key, config),
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body['response'], {
      updated_vehicles: 0,
      skipped_vehicles: {
        missing_key: [ASLEEP_VIN],
        unsupported_hardware: [OLD_HARDWARE_VIN],
        unsupported_firmware: [OLD_FIRMWARE_VIN],
        max_configs: [FULL_VIN],
      },
    });
    const full = (await read(FULL_VIN)).body['response'] as Record<string, unknown>;
    assert.equal(full['limit_reached'], true);
    assert.equal(full['config'], null);
  });

  test('signed by another key: accepted, but the vehicle reports unknown issuer', async () => {
    const { access } = await userTokens(sim);
    const res = await send([ONLINE_VIN], signSs256Jws(newFleetKey(), config), access);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body['response'] as Record<string, unknown>)['updated_vehicles'], 1);
    assert.equal(
      ((await read(ONLINE_VIN, access)).body['response'] as Record<string, unknown>)['synced'],
      true,
    );
    const partnerErrors = await fleet(sim, partner, 'GET', '/api/1/partner_accounts/fleet_telemetry_errors');
    const list = (partnerErrors.body['response'] as Record<string, Record<string, unknown>[]>)[
      'fleet_telemetry_errors'
    ]!;
    assert.equal(list.length, 1);
    assert.equal(list[0]!['error'], 'error loading config file: InvalidSignature: unknown issuer');
    assert.equal(list[0]!['vin'], ONLINE_VIN);
    assert.equal(list[0]!['name'], 'gatehouse-sim-client');
    const vehicleErrors = await fleet(
      sim,
      access,
      'GET',
      `/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_errors`,
    );
    const perVehicle = (vehicleErrors.body['response'] as Record<string, Record<string, unknown>[]>)[
      'fleet_telemetry_errors'
    ]!;
    assert.match(String(perVehicle[0]!['error']), /unknown issuer/);
  });

  test('a tampered signature: accepted, the vehicle reports a verification error', async () => {
    const token = signSs256Jws(key, config);
    const [header, , signature] = token.split('.');
    const other = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()), port: 1 }),
    ).toString('base64url');
    const res = await send([ONLINE_VIN], `${header}.${other}.${signature}`);
    assert.equal(res.status, 200, res.text);
    const errors = await fleet(sim, partner, 'GET', '/api/1/partner_accounts/fleet_telemetry_errors');
    const list = (errors.body['response'] as Record<string, Record<string, unknown>[]>)[
      'fleet_telemetry_errors'
    ]!;
    assert.deepEqual(
      list.map((e) => e['error']),
      ['error loading config file: crypto/ecdsa: verification error'],
    );
  });

  test('a malformed token or another alg is 400 invalid_request with the reason', async () => {
    const malformed = await send([ONLINE_VIN], 'not-a-jws');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body['error'], 'invalid_request');
    assert.match(String(malformed.body['error_description']), /compact JWS/);
    const hs = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`;
    const wrongAlg = await send([ONLINE_VIN], hs);
    assert.equal(wrongAlg.status, 400);
    assert.match(String(wrongAlg.body['error_description']), /only Tesla\.SS256/);
  });

  test('the unsigned endpoint must go through the Vehicle Command HTTP Proxy', async () => {
    const res = await fleet(sim, partner, 'POST', '/api/1/vehicles/fleet_telemetry_config', {
      body: { vins: [ONLINE_VIN], config },
    });
    assert.equal(res.status, 412);
    assert.match(String(res.body['error']), /must be called through the Vehicle Command HTTP Proxy/);
  });

  test('delete removes the config once', async () => {
    await send([ONLINE_VIN], signSs256Jws(key, config));
    const removed = await fleet(
      sim,
      partner,
      'DELETE',
      `/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_config`,
    );
    assert.deepEqual(removed.body['response'], { updated_vehicles: 1 });
    const again = await fleet(sim, partner, 'DELETE', `/api/1/vehicles/${ONLINE_VIN}/fleet_telemetry_config`);
    assert.deepEqual(again.body['response'], { updated_vehicles: 0 });
    const shown = (await read(ONLINE_VIN)).body['response'] as Record<string, unknown>;
    assert.equal(shown['config'], null);
    assert.equal(shown['synced'], false);
  });

  test('a config for an asleep vehicle syncs once it is online', async () => {
    await control(sim, 'POST', `/sim/vehicles/${ASLEEP_VIN}/pair`, { domain: DOMAIN });
    const res = await send([ASLEEP_VIN], signSs256Jws(key, config));
    assert.equal((res.body['response'] as Record<string, unknown>)['updated_vehicles'], 1);
    assert.equal(((await read(ASLEEP_VIN)).body['response'] as Record<string, unknown>)['synced'], false);
    await control(sim, 'POST', `/sim/vehicles/${ASLEEP_VIN}`, { state: 'online' });
    assert.equal(((await read(ASLEEP_VIN)).body['response'] as Record<string, unknown>)['synced'], true);
  });
});
