import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { verifySs256Jws } from '../src/fleet/ss256-verify.ts';
import { bundle, certChain } from './helpers/cert-chain.ts';
import { fleetWorld, runCli } from './helpers/fleet-world.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';

const PAIRED = '5YJ3E7EB2NF000001';
const UNPAIRED = '7SAYGDEE1PF000002';
const HOST = 'telemetry.test';
const FIELDS = '{"VehicleSpeed":10,"Location":10,"Soc":60}';

// Each step runs the CLI as a process of its own against the simulator: a minute or more in all.
describe('gatehouse fleet telemetry-config, against the simulator and a real mTLS server', LONG_SUITE, () => {
  let world: Awaited<ReturnType<typeof fleetWorld>>;
  let telemetry: Server;
  let caPath: string;
  let intermediateOnly: string;
  let closedPort: number;
  let config: string[];
  before(async () => {
    world = await fleetWorld();
    const chain = await certChain(HOST);
    // As a telemetry server: it demands a client certificate, which the check has none of.
    telemetry = createServer({
      key: chain.leaf.keyPem,
      cert: bundle(chain.leaf, chain.intermediate),
      requestCert: true,
      rejectUnauthorized: true,
      ca: chain.root.certPem,
    });
    telemetry.on('tlsClientError', () => {});
    telemetry.listen(0, '127.0.0.1');
    await once(telemetry, 'listening');
    caPath = join(world.dir, 'telemetry-ca.pem');
    writeFileSync(caPath, bundle(chain.root));
    intermediateOnly = join(world.dir, 'intermediate.pem');
    writeFileSync(intermediateOnly, bundle(chain.intermediate));
    const probe = createNetServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const port = (telemetry.address() as AddressInfo).port;
    config = [
      '--hostname',
      HOST,
      '--port',
      '443',
      '--ca',
      caPath,
      '--fields',
      FIELDS,
      '--resolve',
      `${HOST}=127.0.0.1:${port}`,
    ];
    const register = await world.run(['partner', 'register', '--domain', 'localhost', ...world.reachFlags]);
    assert.equal(register.code, 0, register.stderr);
    await world.pair(PAIRED);
  });
  after(async () => {
    telemetry.close();
    await world.stop();
  });

  const key = () => ['--fleet-key', world.key.privateKeyPath];
  const noConfigSent = async () => assert.deepEqual((await world.state()).telemetry_configs, []);

  test('sign prints a Tesla.SS256 token of the configuration, signed by the fleet key', async () => {
    const run = await world.run([
      'telemetry-config',
      'sign',
      ...config,
      ...key(),
      '--alert-types',
      'service',
      '--exp',
      '30d',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { claims } = verifySs256Jws(run.stdout.trim(), {
      issuer: world.key.key.publicPoint,
      audience: 'com.tesla.fleet.TelemetryClient',
    });
    assert.equal(claims['hostname'], HOST);
    assert.deepEqual(claims['fields'], {
      VehicleSpeed: { interval_seconds: 10 },
      Location: { interval_seconds: 10 },
      Soc: { interval_seconds: 60 },
    });
    assert.deepEqual(claims['alert_types'], ['service']);
    assert.ok(Math.abs(Number(claims['exp']) - (Date.now() / 1000 + 30 * 86_400)) < 120);
  });

  test('refused before anything is sent: keys, configuration, chain, server', async () => {
    const p384 = join(world.dir, 'p384.pem');
    writeFileSync(
      p384,
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
        format: 'pem',
        type: 'pkcs8',
      }),
    );
    const send = ['telemetry-config', 'send', '--vins', PAIRED];
    const cases: [string, string[], RegExp][] = [
      ['no key', [...send, ...config], /no fleet key: pass --fleet-key FILE or set TESLA_PRIVATE_KEY/],
      [
        'a public key only',
        [...send, ...config, '--fleet-key', world.key.publicKeyPath],
        /holds no private key/,
      ],
      [
        'a key on the wrong curve',
        [...send, ...config, '--fleet-key', p384],
        /Tesla accepts only EC prime256v1/,
      ],
      [
        'fields not JSON',
        [...send, ...config, ...key(), '--fields', '{VehicleSpeed:10}'],
        /--fields is not JSON/,
      ],
      [
        'an interval of zero',
        [...send, ...config, ...key(), '--fields', '{"Soc":0}'],
        /fields\.Soc\.interval_seconds/,
      ],
      [
        'exp in the past',
        [...send, ...config, ...key(), '--exp', '1700000000'],
        /exp: exp 1700000000 .* is in the past/,
      ],
      [
        'the command key as ca',
        [...send, ...config, ...key(), '--ca', world.key.publicKeyPath],
        /holds a PUBLIC KEY block/,
      ],
      [
        'ca with only the intermediate',
        [...send, ...config, ...key(), '--ca', intermediateOnly],
        /an intermediate, but not the root.*\[ca-intermediate-only\]/,
      ],
      [
        'an unreachable server',
        [...send, ...config, ...key(), '--resolve', `${HOST}=127.0.0.1:${closedPort}`],
        /cannot be reached.*\[unreachable\]/,
      ],
    ];
    for (const [name, args, says] of cases) {
      const run = await world.run(args);
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.match(run.stderr, says, name);
    }
    const noVins = await world.run(['telemetry-config', 'send', ...config, ...key()]);
    assert.equal(noVins.code, 2);
    assert.match(noVins.stderr, /--vins V1,V2 \(or VEHICLE_IDS\)/);
    await noConfigSent();
  });

  test('send checks the chain, signs, posts and explains what Tesla skipped; get, errors, delete', async () => {
    const run = await world.run(['telemetry-config', 'send', ...config, ...key(), '--domain', 'localhost'], {
      VEHICLE_IDS: `${PAIRED},${UNPAIRED}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✓ telemetry\.test:443 \(at 127\.0\.0\.1:\d+\) serves a chain ca verifies/);
    assert.match(run.stdout, /Updated 1 vehicle\./);
    assert.match(
      run.stdout,
      new RegExp(
        `Skipped \\(missing_key\\): ${UNPAIRED}\\n +the vehicle does not hold the application's virtual key: the owner pairs it at ${world.sim.url}/_ak/localhost`,
      ),
    );
    const sent = (await world.state()).telemetry_configs;
    assert.deepEqual(
      sent.map((c) => [c.vin, c.hostname, c.error]),
      [[PAIRED, HOST, null]],
    );

    const get = await world.run(['telemetry-config', 'get', PAIRED]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /synced true, key paired true/);
    assert.match(get.stdout, /server +telemetry\.test:443/);
    assert.match(get.stdout, /VehicleSpeed every 10s/);
    assert.match(get.stdout, /can take hours after sync.*sending the configuration again/);

    const errors = await world.run(['telemetry-config', 'errors', PAIRED]);
    assert.equal(errors.code, 0, errors.stderr);
    assert.match(errors.stdout, /No telemetry errors reported/);

    const removed = await world.run(['telemetry-config', 'delete', PAIRED]);
    assert.match(removed.stdout, /Deleted the configuration of 5YJ3E7EB2NF000001/);
    const none = await world.run(['telemetry-config', 'get', PAIRED, '--json']);
    assert.equal(JSON.parse(none.stdout).config, null);
  });

  test('signed with a key other than the registered one: the errors say unknown issuer and what it means', async () => {
    const other = join(world.dir, 'unregistered');
    await runCli(['fleet', 'keys', 'generate', '--out', other]);
    const run = await world.run([
      'telemetry-config',
      'send',
      '--vins',
      PAIRED,
      ...config,
      '--fleet-key',
      join(other, 'private-key.pem'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const args of [['errors'], ['errors', PAIRED]]) {
      const errors = await world.run(['telemetry-config', ...args]);
      assert.match(
        errors.stdout,
        /unknown issuer\n +→ the configuration was signed with a key other than the one registered/,
      );
    }
    await world.run(['telemetry-config', 'delete', PAIRED]);
  });

  test('--skip-ca-check sends to a server that is not up, and says so loudly', async () => {
    const run = await world.run([
      'telemetry-config',
      'send',
      '--vins',
      PAIRED,
      ...config,
      ...key(),
      '--resolve',
      `${HOST}=127.0.0.1:${closedPort}`,
      '--skip-ca-check',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: NOT checking the certificate chain of telemetry\.test:443/);
    assert.equal((await world.state()).telemetry_configs.length, 1);
    await world.run(['telemetry-config', 'delete', PAIRED]);
  });

  test('an unknown field name is a warning, a --config file works as well', async () => {
    const file = join(world.dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        hostname: HOST,
        port: 443,
        ca: bundle((await certChain('x')).root),
        fields: { Soc: { interval_seconds: 60 }, BrandNewField: 5 },
      }),
    );
    const run = await world.run(['telemetry-config', 'sign', '--config', file, ...key()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: fields BrandNewField are not field names this version knows/);
    const both = await world.run([
      'telemetry-config',
      'sign',
      '--config',
      file,
      '--hostname',
      HOST,
      ...key(),
    ]);
    assert.equal(both.code, 2);
  });
});

describe('gatehouse fleet telemetry-config when Tesla rate-limits', () => {
  test('a 429 says when to try again', async (t) => {
    const world = await fleetWorld({ rate_limits: { requests_per_minute: 1 } });
    t.after(() => world.stop());
    const register = await world.run(['partner', 'register', '--domain', 'localhost', ...world.reachFlags]);
    assert.equal(register.code, 0, register.stderr);
    const run = await world.run(['telemetry-config', 'get', PAIRED]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /rate limit is reached: try again in \d+ seconds/);
  });
});
