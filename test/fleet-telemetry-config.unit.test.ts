import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GatehouseError } from '../src/core/errors.ts';
import {
  DEFAULT_EXP_SECONDS,
  parseExp,
  type TelemetryConfigFlags,
  telemetryConfigFromFlags,
  telemetryConfigFromJson,
} from '../src/fleet/telemetry-config.ts';
import { bundle, certChain } from './helpers/cert-chain.ts';

const NOW = Date.UTC(2026, 5, 1);
const NOW_S = NOW / 1000;
const PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpXIg2YtD3D0p5Tc4L8pRJ8u6m5yQ
-----END PUBLIC KEY-----`;

describe('telemetry configuration from flags', () => {
  let ca: string;
  const flags = (over: Partial<TelemetryConfigFlags> = {}): TelemetryConfigFlags => ({
    hostname: 'telemetry.example.com',
    ca: { pem: ca, source: '--ca chain.pem' },
    fields: { text: '{"VehicleSpeed":10,"Location":10,"Soc":60}', source: '--fields' },
    ...over,
  });
  before(async () => {
    const chain = await certChain('telemetry.example.com');
    ca = bundle(chain.intermediate, chain.root);
  });

  test("the seed's TELEMETRY_FIELDS become Tesla's field settings, with defaults", () => {
    const { config, warnings } = telemetryConfigFromFlags(flags(), NOW);
    assert.deepEqual(config.fields, {
      VehicleSpeed: { interval_seconds: 10 },
      Location: { interval_seconds: 10 },
      Soc: { interval_seconds: 60 },
    });
    assert.equal(config.port, 443);
    assert.equal(config.exp, NOW_S + DEFAULT_EXP_SECONDS);
    assert.deepEqual(warnings, []);
  });

  test("Tesla's full form, alert types, prefer_typed, a duration exp", () => {
    const { config } = telemetryConfigFromFlags(
      flags({
        port: '4443',
        fields: { text: '{"VehicleSpeed":{"interval_seconds":10,"minimum_delta":1}}', source: '--fields' },
        alertTypes: 'service,customer',
        preferTyped: false,
        exp: '30d',
      }),
      NOW,
    );
    assert.equal(config.port, 4443);
    assert.deepEqual(config.fields, { VehicleSpeed: { interval_seconds: 10, minimum_delta: 1 } });
    assert.deepEqual(config.alert_types, ['service', 'customer']);
    assert.equal(config.prefer_typed, false);
    assert.equal(config.exp, NOW_S + 30 * 86_400);
  });

  test('an unknown field name is warned about, not refused', () => {
    const { warnings } = telemetryConfigFromFlags(
      flags({ fields: { text: '{"VehicleSpeed":10,"FancyNewSignal":5}', source: '--fields' } }),
      NOW,
    );
    assert.match(warnings.join('\n'), /FancyNewSignal/);
  });

  const refusals: { name: string; over: () => Partial<TelemetryConfigFlags>; says: RegExp }[] = [
    {
      name: 'fields not JSON',
      over: () => ({ fields: { text: '{VehicleSpeed:10}', source: '--fields' } }),
      says: /--fields is not JSON/,
    },
    {
      name: 'fields an array',
      over: () => ({ fields: { text: '[1]', source: '--fields' } }),
      says: /must be a JSON object/,
    },
    {
      name: 'fields empty',
      over: () => ({ fields: { text: '{}', source: '--fields' } }),
      says: /fields: fields is empty/,
    },
    {
      name: 'interval zero',
      over: () => ({ fields: { text: '{"Soc":0}', source: '--fields' } }),
      says: /fields\.Soc\.interval_seconds: interval_seconds must be at least 1/,
    },
    {
      name: 'interval negative',
      over: () => ({ fields: { text: '{"Soc":-5}', source: '--fields' } }),
      says: /fields\.Soc\.interval_seconds/,
    },
    {
      name: 'interval fractional',
      over: () => ({ fields: { text: '{"Soc":1.5}', source: '--fields' } }),
      says: /whole number of seconds/,
    },
    {
      name: 'interval as text',
      over: () => ({ fields: { text: '{"Soc":"10"}', source: '--fields' } }),
      says: /fields\.Soc/,
    },
    {
      name: 'misspelt field setting',
      over: () => ({ fields: { text: '{"Soc":{"interval":10}}', source: '--fields' } }),
      says: /unknown setting interval/,
    },
    { name: 'port zero', over: () => ({ port: '0' }), says: /port: port must be 1 to 65535/ },
    { name: 'port too big', over: () => ({ port: '70000' }), says: /port must be 1 to 65535/ },
    { name: 'port not a number', over: () => ({ port: 'https' }), says: /port: port must be a number/ },
    {
      name: 'hostname a URL',
      over: () => ({ hostname: 'https://telemetry.example.com' }),
      says: /hostname: .*is not a host name: give it alone/,
    },
    {
      name: 'hostname with a port',
      over: () => ({ hostname: 'telemetry.example.com:443' }),
      says: /the port goes in port/,
    },
    {
      name: 'exp in the past',
      over: () => ({ exp: String(NOW_S - 60) }),
      says: /exp: exp \d+ \(2026-05-31T23:59:00\.000Z\) is in the past/,
    },
    {
      name: 'exp in milliseconds',
      over: () => ({ exp: String(NOW + 86_400_000) }),
      says: /looks like milliseconds/,
    },
    {
      name: 'exp a bare small number',
      over: () => ({ exp: '30' }),
      says: /write a duration with its unit, e.g. 30d/,
    },
    { name: 'exp nonsense', over: () => ({ exp: 'next week' }), says: /duration like 30d/ },
    {
      name: 'alert type unknown',
      over: () => ({ alertTypes: 'service,security' }),
      says: /alert_types\.1: alert types are 'service' and 'customer'/,
    },
    {
      name: 'ca a public key',
      over: () => ({ ca: { pem: PUBLIC_KEY, source: '--ca key.pem' } }),
      says: /--ca key\.pem holds a PUBLIC KEY block/,
    },
    {
      name: 'ca no PEM at all',
      over: () => ({ ca: { pem: 'hello', source: '--ca x' } }),
      says: /holds no PEM certificate/,
    },
    {
      name: 'ca a damaged certificate',
      over: () => ({
        ca: { pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', source: '--ca x' },
      }),
      says: /certificate 1 cannot be parsed/,
    },
  ];
  for (const r of refusals) {
    test(`refused: ${r.name}`, () => {
      assert.throws(
        () => telemetryConfigFromFlags(flags(r.over()), NOW),
        (error: unknown) => error instanceof GatehouseError && r.says.test(error.message),
      );
    });
  }

  test('missing flags are named together, as a usage error', () => {
    assert.throws(
      () => telemetryConfigFromFlags({}, NOW),
      (error: unknown) =>
        error instanceof GatehouseError &&
        error.code === 'FLEET_USAGE' &&
        /--hostname, --ca FILE, --fields/.test(error.message),
    );
  });

  test("Tesla's config JSON, bare or wrapped with vins", () => {
    const config = {
      hostname: 'telemetry.example.com',
      port: 4443,
      ca,
      fields: { Soc: { interval_seconds: 60 } },
      exp: NOW_S + 3600,
    };
    const bare = telemetryConfigFromJson(JSON.stringify(config), 'config.json', NOW);
    assert.equal(bare.config.exp, NOW_S + 3600);
    const wrapped = telemetryConfigFromJson(
      JSON.stringify({ vins: ['X'], config: { ...config, exp: undefined } }),
      'c',
      NOW,
    );
    assert.equal(wrapped.config.exp, NOW_S + DEFAULT_EXP_SECONDS);
    assert.throws(() => telemetryConfigFromJson('{', 'config.json', NOW), /config\.json is not JSON/);
  });

  test('parseExp reads unix seconds and durations', () => {
    assert.equal(parseExp('1900000000', NOW), 1_900_000_000);
    assert.equal(parseExp('12h', NOW), NOW_S + 12 * 3600);
    assert.equal(parseExp('1y', NOW), NOW_S + 365 * 86_400);
  });
});
