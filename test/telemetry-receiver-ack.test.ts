import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { decodeEnvelope } from '../src/telemetry/wire/index.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import {
  connectVehicle,
  type TelemetryPki,
  TestSink,
  telemetryConfigFile,
  telemetryPki,
  vehicleDataFrame,
} from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const txidOf = (bytes: Uint8Array) => Buffer.from(decodeEnvelope(bytes).txid).toString('utf8');

const dir = tempDir('gatehouse-telemetry-ack-');
let pki: TelemetryPki;
before(() => {
  pki = telemetryPki(dir);
});

/** A gateway whose receiver uses `yaml` as its `telemetry:` block (files filled in). */
function receiver(yaml: string, options: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> {
  const config = telemetryConfigFile(
    dir,
    `telemetry:\n  port: 0\n  host: 127.0.0.1\n  cert: ${pki.server.cert}\n  key: ${pki.server.key}\n  ca: ${pki.ca}\n${yaml}`,
  );
  return startTestGateway({ ...options, flags: { config, ...options.flags } });
}

describe('reliable ack', () => {
  const durable = new TestSink('durable');
  let gh: TestGateway;
  before(async () => {
    gh = await receiver('  records: { V: [store, durable] }\n  reliableAck: { V: durable }\n', {
      telemetrySinks: { durable: () => durable },
    });
  });
  after(() => gh.stop());

  test('the ack is withheld while the durable sink refuses, and sent once it takes the resend', async () => {
    const vin = '5YJ3E7EB0KF000101';
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
    durable.failing = true;
    car.ws.send(vehicleDataFrame({ txid: 'tx-lost', vin, fields: { Soc: 10 } }));
    await waitFor('the refused write', () =>
      durable.attempts.some((r) => r.txid === Buffer.from('tx-lost').toString('hex')),
    );

    durable.failing = false;
    car.ws.send(vehicleDataFrame({ txid: 'tx-next', vin, fields: { Soc: 11 } }));
    // Acks are in order: had tx-lost been acked, its ack would come first.
    assert.equal(txidOf(await car.next()), 'tx-next');

    car.ws.send(vehicleDataFrame({ txid: 'tx-lost', vin, fields: { Soc: 10 } }));
    assert.equal(txidOf(await car.next()), 'tx-lost');
    assert.deepEqual(
      durable.written.map((r) => r.txid),
      ['tx-next', 'tx-lost'].map((t) => Buffer.from(t).toString('hex')),
      'nothing acked is missing from the durable sink',
    );
    await car.close();
  });

  test('slow sinks stop the reads instead of growing a queue, and every ack still comes in order', async (t) => {
    const slow = new TestSink('slow');
    slow.holding = true;
    const gs = await receiver('  records: { V: [slow] }\n  reliableAck: { V: slow }\n  maxInFlight: 4\n', {
      telemetrySinks: { slow: () => slow },
    });
    t.after(() => gs.stop());
    const vin = '5YJ3E7EB0KF000102';
    const car = await connectVehicle(gs.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
    const count = 40;
    // Large frames, so that a pause takes effect within a few of them.
    for (let i = 0; i < count; i++)
      car.ws.send(vehicleDataFrame({ txid: `tx-${i}`, vin, fields: { VehicleName: 'x'.repeat(30_000) } }));
    const acked: string[] = [];
    while (acked.length < count) {
      await waitFor('a held write', () => slow.pending > 0);
      slow.release();
      const ack = await car.next();
      acked.push(txidOf(ack));
    }
    assert.deepEqual(
      acked,
      Array.from({ length: count }, (_, i) => `tx-${i}`),
    );
    assert.ok(slow.maxPending <= 12, `at most a few frames past the bound were taken (${slow.maxPending})`);
    await car.close();
  });
});

describe('reliable ack to the store', () => {
  test('the ack comes once the state holding the record is in the store', async (t) => {
    const gh = await receiver('  reliableAck: { V: store }\n  flushMs: 60000\n');
    t.after(() => gh.stop());
    const vin = '5YJ3E7EB0KF000150';
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
    car.ws.send(vehicleDataFrame({ txid: 'tx-stored', vin, fields: { Soc: 42 } }));
    assert.equal(txidOf(await car.next()), 'tx-stored');
    // Long before the minute-long batch interval: the ack itself waited for the write.
    const stored = await gh.gateway.store.ephemeral.get('telemetry-vehicles', vin);
    assert.equal(JSON.parse(stored!).fields.Soc, 42);
    await car.close();
  });
});

describe('rate limit', () => {
  const clock = manualClock(Date.UTC(2026, 4, 1));
  let gh: TestGateway;
  before(async () => {
    gh = await receiver('  rateLimit: { messages: 2, intervalSeconds: 60 }\n', { clock });
  });
  after(() => gh.stop());

  test('messages over the limit are dropped without an ack; the next window takes them again', async () => {
    const vin = '5YJ3E7EB0KF000201';
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
    for (const txid of ['tx-1', 'tx-2', 'tx-3'])
      car.ws.send(vehicleDataFrame({ txid, vin, fields: { Soc: 1 } }));
    // The pong comes once the server has read every frame before the ping, tx-3 included.
    const pong = new Promise((resolve) => car.ws.once('pong', resolve));
    car.ws.ping();
    await pong;
    assert.equal(txidOf(await car.next()), 'tx-1');
    assert.equal(txidOf(await car.next()), 'tx-2');
    clock.advance(60_000);
    car.ws.send(vehicleDataFrame({ txid: 'tx-4', vin, fields: { Soc: 4 } }));
    assert.equal(txidOf(await car.next()), 'tx-4', 'tx-3 was never acked');
    await car.close();
  });
});

describe('configuration', () => {
  test('a missing certificate file stops the start, naming the file', async () => {
    await assert.rejects(
      startTestGateway({
        flags: {
          'telemetry-port': '0',
          'telemetry-cert': `${dir}/nope.pem`,
          'telemetry-key': pki.server.key,
          'telemetry-ca': pki.ca,
        },
      }),
      /telemetry\.cert: cannot read .*nope\.pem/,
    );
  });

  test('a sink nobody provides stops the start, naming it', async () => {
    await assert.rejects(
      receiver('  records: { V: [kafka] }\n'),
      /telemetry\.records\.V: no sink named kafka/,
    );
  });

  test('TLS_CERT_PATH, TLS_KEY_PATH and TLS_CA_PATH are read; a port in use is named', async (t) => {
    const gh = await startTestGateway({
      flags: { 'telemetry-port': '0', 'telemetry-host': '127.0.0.1' },
      env: { TLS_CERT_PATH: pki.server.cert, TLS_KEY_PATH: pki.server.key, TLS_CA_PATH: pki.ca },
    });
    t.after(() => gh.stop());
    const car = await connectVehicle(
      gh.gateway.telemetry!.port,
      pki.server.cert,
      pki.vehicle('5YJ3E7EB0KF000301'),
    );
    await car.close();
    await assert.rejects(
      receiver('', { flags: { 'telemetry-port': String(gh.gateway.telemetry!.port) } }),
      /telemetry listener: cannot listen on 127\.0\.0\.1 port \d+ \(EADDRINUSE\); choose another with --telemetry-port/,
    );
  });
});
