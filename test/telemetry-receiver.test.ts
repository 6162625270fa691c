import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TelemetryRecord } from '../src/telemetry/records.ts';
import { decodeEnvelope, encodeStreamEnvelope } from '../src/telemetry/wire/index.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import {
  connectVehicle,
  type TelemetryPki,
  telemetryPki,
  vehicleDataFrame,
} from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const dir = tempDir('gatehouse-telemetry-');
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('telemetry receiver: mTLS, frames, acks and state', () => {
  let pki: TelemetryPki;
  let gh: TestGateway;
  let port: number;
  const records: TelemetryRecord[] = [];

  before(async () => {
    pki = telemetryPki(dir);
    gh = await startTestGateway({
      flags: {
        'telemetry-port': '0',
        'telemetry-host': '127.0.0.1',
        'telemetry-cert': pki.server.cert,
        'telemetry-key': pki.server.key,
        'telemetry-ca': pki.ca,
      },
    });
    port = gh.gateway.telemetry!.port;
    gh.gateway.telemetry!.hub.subscribe((r) => records.push(r));
  });
  after(() => gh.stop());

  const vehicle = (vin: string, headers?: Record<string, string>) =>
    connectVehicle(port, pki.server.cert, pki.vehicle(vin), headers);

  test('a V frame is acked with its txid and topic, and lands in the state and the admin API', async () => {
    const car = await vehicle('5YJ3E7EB0KF000001');
    const createdAt = Date.UTC(2026, 4, 1, 12, 0, 0);
    car.ws.send(
      vehicleDataFrame({
        txid: 'tx-0001',
        vin: '5YJ3E7EB0KF000001',
        createdAt,
        fields: { VehicleSpeed: 61.5, Gear: 'ShiftStateD', Location: { latitude: 37.5, longitude: -122.25 } },
      }),
    );
    const ack = decodeEnvelope(await car.next());
    assert.equal(text(ack.txid), 'tx-0001');
    assert.equal(ack.topic, 'V');
    assert.equal(ack.messageType, 'FlatbuffersStreamAck');
    assert.equal(ack.messageId.length, 0);

    const state = await gh.gateway.telemetry!.states.get('5YJ3E7EB0KF000001');
    assert.equal(state?.status, 'CONNECTED');
    assert.equal(state?.fields['VehicleSpeed'], 61.5);

    const list = await gh.api('GET', '/api/v1/fleet/vehicles/');
    assert.equal(list.status, 200);
    assert.ok(list.body.vehicles.some((v: { vin: string }) => v.vin === '5YJ3E7EB0KF000001'));
    const one = await gh.api('GET', '/api/v1/fleet/vehicles/5YJ3E7EB0KF000001');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.fields, {
      VehicleSpeed: 61.5,
      Gear: 'ShiftStateD',
      Location: { latitude: 37.5, longitude: -122.25 },
    });
    assert.equal(one.body.fieldTimes.VehicleSpeed, createdAt);
    assert.equal(one.body.history.length, 1);
    await car.close();

    // The batched write reaches the store; a node without the receiver reads it from there.
    await gh.gateway.telemetry!.states.flushed();
    const stored = await gh.gateway.store.ephemeral.get('telemetry-vehicles', '5YJ3E7EB0KF000001');
    assert.equal(JSON.parse(stored!).fields.Gear, 'ShiftStateD');
  });

  test('an unknown VIN is a 404 naming what to do; a malformed one a 400', async () => {
    const missing = await gh.api('GET', '/api/v1/fleet/vehicles/NOSUCHVIN0000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'FLEET_VEHICLE_UNKNOWN');
    assert.match(missing.body.message, /once the vehicle connects/);
    const bad = await gh.api('GET', '/api/v1/fleet/vehicles/not%20a%20vin');
    assert.equal(bad.status, 400);
  });

  test('a client without a certificate, or with one from an untrusted CA, fails the handshake', async () => {
    await assert.rejects(connectVehicle(port, pki.server.cert, undefined));
    await assert.rejects(connectVehicle(port, pki.server.cert, pki.stranger('5YJ3E7EB0KF000002')));
    assert.equal(await gh.gateway.telemetry!.states.get('5YJ3E7EB0KF000002'), undefined);
  });

  test("the certificate's VIN wins over the payload's", async () => {
    const car = await vehicle('5YJ3E7EB0KF000003');
    car.ws.send(vehicleDataFrame({ txid: 'tx-mismatch', vin: 'SPOOFEDVIN0000000', fields: { Soc: 80 } }));
    const ack = decodeEnvelope(await car.next());
    assert.equal(text(ack.txid), 'tx-mismatch', 'a sender mismatch is still acked');
    assert.equal((await gh.gateway.telemetry!.states.get('5YJ3E7EB0KF000003'))?.fields['Soc'], 80);
    assert.equal(await gh.gateway.telemetry!.states.get('SPOOFEDVIN0000000'), undefined);
    await car.close();
  });

  test('a CN with dots speaks for the VIN with dashes', async () => {
    const car = await vehicle('device.5YJ3E7EB0KF000004');
    car.ws.send(
      vehicleDataFrame({ txid: 'tx-dots', vin: 'device.5YJ3E7EB0KF000004', fields: { Odometer: 1 } }),
    );
    await car.next();
    assert.equal((await gh.gateway.telemetry!.states.get('device-5YJ3E7EB0KF000004'))?.fields['Odometer'], 1);
    await car.close();
  });

  test('a text frame closes the socket with 1003', async () => {
    const car = await vehicle('5YJ3E7EB0KF000005');
    car.ws.send('{"hello":"json"}');
    assert.equal(await car.closed, 1003);
  });

  test('garbage and truncated frames get "incorrect message format", and the connection goes on', async () => {
    const car = await vehicle('5YJ3E7EB0KF000006');
    const good = vehicleDataFrame({ txid: 'tx-good', vin: '5YJ3E7EB0KF000006', fields: { Soc: 50 } });
    const frames = [
      Buffer.from('not a flatbuffer at all'),
      Buffer.alloc(0),
      Buffer.alloc(64, 0xff),
      ...[1, 4, 9, 17, Math.floor(good.length / 2), good.length - 1].map((n) => good.subarray(0, n)),
      // A good envelope whose payload is no protobuf.
      encodeStreamEnvelope({ txid: 'tx-badpayload', topic: 'V', payload: Buffer.from([0xff, 0xff, 0xff]) }),
    ];
    for (const frame of frames) {
      car.ws.send(frame);
      const reply = decodeEnvelope(await car.next());
      assert.equal(reply.messageType, 'FlatbuffersStream');
      assert.equal(text(reply.stream!.payload), 'incorrect message format');
    }
    car.ws.send(good);
    assert.equal(text(decodeEnvelope(await car.next()).txid), 'tx-good');
    await car.close();
  });

  test('the format-error reply echoes the txid when it could be read', async () => {
    const car = await vehicle('5YJ3E7EB0KF000007');
    car.ws.send(
      encodeStreamEnvelope({ txid: 'tx-echo', topic: 'V', payload: Buffer.from([0x0a, 0x05, 0x01]) }),
    );
    const reply = decodeEnvelope(await car.next());
    assert.equal(text(reply.txid), 'tx-echo');
    assert.equal(text(reply.stream!.payload), 'incorrect message format');
    await car.close();
  });

  test('a message on an unknown topic is acked and not dispatched', async () => {
    const car = await vehicle('5YJ3E7EB0KF000008');
    car.ws.send(encodeStreamEnvelope({ txid: 'tx-unknown', topic: 'mystery', payload: new Uint8Array(0) }));
    const ack = decodeEnvelope(await car.next());
    assert.equal(ack.messageType, 'FlatbuffersStreamAck');
    assert.equal(text(ack.txid), 'tx-unknown');
    assert.equal(ack.topic, 'mystery');
    await car.close();
  });

  test('a frame over 1,000,000 bytes closes the socket with 1009; the receiver still serves', async () => {
    const car = await vehicle('5YJ3E7EB0KF000009');
    car.ws.send(Buffer.alloc(1_000_001));
    assert.equal(await car.closed, 1009);
    const next = await vehicle('5YJ3E7EB0KF000009');
    next.ws.send(vehicleDataFrame({ txid: 'tx-after', vin: '5YJ3E7EB0KF000009', fields: { Soc: 1 } }));
    assert.equal(text(decodeEnvelope(await next.next()).txid), 'tx-after');
    await next.close();
  });

  test('connectivity records on connect and disconnect carry the headers', async () => {
    const vin = '5YJ3E7EB0KF000010';
    const car = await vehicle(vin, {
      'X-Network-Interface': 'wifi',
      Version: '2025.44.1',
      'X-TXID': 'conn-1',
    });
    const connected = await waitFor('CONNECTED', () =>
      records.find((r) => r.vin === vin && r.type === 'connectivity' && r.status === 'CONNECTED'),
    );
    assert.equal(connected.type, 'connectivity');
    if (connected.type !== 'connectivity') return;
    assert.equal(connected.connectionId, 'conn-1');
    assert.equal(connected.networkInterface, 'wifi');
    assert.equal(connected.deviceClientVersion, '2025.44.1');
    await car.close();
    await waitFor('DISCONNECTED', () =>
      records.find((r) => r.vin === vin && r.type === 'connectivity' && r.status === 'DISCONNECTED'),
    );
    const state = await gh.gateway.telemetry!.states.get(vin);
    assert.equal(state?.status, 'DISCONNECTED');
    assert.equal(state?.networkInterface, 'wifi');
  });

  test('random frames never take the receiver down', async () => {
    const car = await vehicle('5YJ3E7EB0KF000011');
    let seed = 14;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const frame = Buffer.alloc(random() % 300);
      for (let j = 0; j < frame.length; j++) frame[j] = random() % 256;
      car.ws.send(frame);
    }
    for (let i = 0; i < 200; i++) await car.next();
    car.ws.send(vehicleDataFrame({ txid: 'tx-alive', vin: '5YJ3E7EB0KF000011', fields: { Soc: 2 } }));
    assert.equal(text(decodeEnvelope(await car.next()).txid), 'tx-alive');
    await car.close();
  });
});
