import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { request } from 'undici';
import { GatehouseError } from '../src/core/errors.ts';
import {
  extraVin,
  parseVehicleCount,
  vinCheckDigit,
  withExtraVehicles,
} from '../src/simulator/extra-vehicles.ts';
import { defaultSeed, validateSeed } from '../src/simulator/seed.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { startStreamingSetup } from './helpers/streaming-simulator.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

describe('--vehicles N', () => {
  test('adds N vehicles with the same valid VINs every time, online and paired, to the first account', () => {
    assert.equal(vinCheckDigit('1M8GDM9AXKP042788'), 'X', 'the ISO 3779 example');
    const { seed, vins } = withExtraVehicles(defaultSeed(), 3);
    assert.deepEqual(vins, [extraVin(0), extraVin(1), extraVin(2)]);
    assert.deepEqual(withExtraVehicles(defaultSeed(), 3).vins, vins);
    for (const vin of vins) {
      assert.match(vin, /^5YJ3E7EB[0-9X]NF2000\d\d$/);
      assert.equal(vin[8], vinCheckDigit(vin));
    }
    validateSeed(seed);
    const account = seed.accounts[0]!;
    assert.equal(account.vehicles.length, 2 + 3);
    const added = account.vehicles.slice(2);
    assert.ok(added.every((v) => v.state === 'online' && v.paired_domains.includes('localhost')));
    assert.equal(seed.accounts[1]!.vehicles.length, 1, 'other accounts unchanged');
  });

  test('a count that is not a whole number in range is refused saying what to give', () => {
    for (const text of ['-1', 'ten', '1.5', '100001']) {
      assert.throws(
        () => parseVehicleCount(text),
        (e: unknown) =>
          e instanceof GatehouseError && e.code === 'SIM_OPTION_INVALID' && /whole number/.test(e.message),
      );
    }
    assert.equal(parseVehicleCount('1000'), 1000);
  });

  test('gatehouse fleet simulate --vehicles 3 lists the fleet and serves it', async (t) => {
    const cli = spawnCli([
      'fleet',
      'simulate',
      '--port',
      '0',
      '--data',
      tempDir('gatehouse-sim-fleet-'),
      '--vehicles',
      '3',
      '--log-level',
      'silent',
    ]);
    t.after(() => cli.stop());
    after(() => cli.stop('SIGKILL'));
    const banner = await waitFor(
      'the banner',
      () => (/Pair a domain/.test(cli.stderr()) ? cli.stderr() : ''),
      { timeoutMs: 30_000, detail: () => cli.stderr() },
    );
    assert.match(
      banner,
      new RegExp(`\\+ 3 fleet vehicles ${extraVin(0)} … ${extraVin(2)}  online  paired: localhost`),
    );
    const url = /simulator at (http:\/\/\S+)/.exec(banner)![1]!;
    const state = (await (await request(`${url}/sim/state`)).body.json()) as {
      vehicles: { vin: string; state: string }[];
    };
    assert.deepEqual(
      state.vehicles.filter((v) => v.vin.includes('NF2000')).map((v) => [v.vin, v.state]),
      [0, 1, 2].map((n) => [extraVin(n), 'online']),
    );
    const stream = await request(`${url}/sim/vehicles/${extraVin(0)}/stream`);
    assert.deepEqual(await stream.body.json(), { vin: extraVin(0), streams: [] });
    assert.equal(await cli.stop('SIGTERM'), 0);
  });
});

describe('a fleet streams to one server', () => {
  test('twenty vehicles connect, each as its own VIN, and everything they send is acked', async () => {
    const vins = Array.from({ length: 20 }, (_, n) => extraVin(n));
    const setup = await startStreamingSetup(vins, { alertsPerHour: 0, errorsPerHour: 0 });
    await setup.configure(vins, { prefer_typed: true, fields: { VehicleSpeed: 1, Soc: 10, Location: 5 } });
    setup.vehicles.tick();
    await waitFor('every vehicle connected', () => setup.vehicles.counts().connected === 20);
    assert.deepEqual(setup.server.connections.map((c) => c.commonName).sort(), [...vins].sort());
    for (let second = 1; second <= 10; second++) setup.advance(1000);
    await waitFor('everything acked', () => vins.every((vin) => setup.stream(vin)?.['pending'] === 0));
    const senders = new Set(setup.server.frames.map((f) => f.v?.vin));
    assert.equal(senders.size, 20);
  });
});
