import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GatehouseError } from '../src/core/errors.ts';
import {
  decodeAlerts,
  decodeEnvelope,
  decodeErrors,
  decodeRecord,
  decodeVehicleData,
  encodeAck,
} from '../src/telemetry/wire/index.ts';

// Frames made by protoc and flatc from Tesla's schemas: see test/fixtures/telemetry/README.md.
const fixture = (name: string) => readFileSync(new URL(`fixtures/telemetry/${name}`, import.meta.url));
const VIN = '5YJ3E7EB2NF000001';
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

const vehicleDataCases = [
  {
    file: 'v-typed.pb',
    expected: {
      vin: VIN,
      createdAt: 1_767_225_600_250,
      isResend: false,
      fields: {
        VehicleSpeed: 61.5,
        Soc: 80.25,
        Odometer: 12_345,
        EnergyRemaining: '9007199254740993',
        Location: { latitude: 37.412374, longitude: -122.145867 },
        Gear: 'ShiftStateD',
        InsideTemp: null,
        Locked: true,
        DetailedChargeState: 'DetailedChargeStateCharging',
        DoorState: {
          DriverFront: true,
          DriverRear: false,
          PassengerFront: false,
          PassengerRear: false,
          TrunkFront: false,
          TrunkRear: true,
        },
      },
    },
  },
  {
    file: 'v-strings.pb',
    expected: {
      vin: VIN,
      createdAt: 1_767_225_601_000,
      isResend: true,
      fields: {
        Location: { latitude: 37.412374, longitude: -122.145867 },
        PackCurrent: 0.0015,
        VehicleSpeed: '61.5',
        VehicleName: 'Grace',
      },
    },
  },
  {
    file: 'v-future.pb',
    expected: {
      vin: VIN,
      createdAt: 1_767_225_602_000,
      isResend: false,
      fields: { Field_300: 3, Soc: { unknown_value_70: 42 }, Gear: 'ShiftStateR' },
    },
  },
] as const;

for (const { file, expected } of vehicleDataCases) {
  test(`${file} from protoc decodes to Tesla's names and typed values`, () => {
    assert.deepEqual(decodeVehicleData(fixture(file)), expected);
  });
}

test('alerts.pb: one active alert, one ended', () => {
  assert.deepEqual(decodeAlerts(fixture('alerts.pb')), {
    vin: VIN,
    createdAt: 1_767_225_603_000,
    alerts: [
      {
        name: 'Charging_Stopped',
        audiences: ['Customer', 'Service'],
        startedAt: 1_767_225_000_000,
        endedAt: undefined,
      },
      {
        name: 'Door_Ajar',
        audiences: ['ServiceFix'],
        startedAt: 1_767_224_000_000,
        endedAt: 1_767_224_500_500,
      },
    ],
  });
});

test('errors.pb: errors with tags, and one with nothing but a name', () => {
  assert.deepEqual(decodeErrors(fixture('errors.pb')), {
    vin: VIN,
    createdAt: 1_767_225_605_000,
    errors: [
      {
        name: 'net_timeout',
        createdAt: 1_767_225_604_000,
        tags: { interface: 'wifi', attempt: '3' },
        body: 'no route to host',
      },
      { name: 'can_bus_fault', createdAt: undefined, tags: {}, body: '' },
    ],
  });
});

const envelopeCases = [
  {
    file: 'envelope-v-typed.bin',
    txid: 'txid-0001',
    topic: 'V',
    createdAt: 1_767_225_600,
    payload: 'v-typed.pb',
  },
  {
    file: 'envelope-v-strings.bin',
    txid: 'txid-0002',
    topic: 'V',
    createdAt: 1_767_225_601,
    payload: 'v-strings.pb',
  },
  {
    file: 'envelope-v-future.bin',
    txid: 'txid-0003',
    topic: 'V',
    createdAt: 1_767_225_602,
    payload: 'v-future.pb',
  },
  {
    file: 'envelope-alerts.bin',
    txid: 'txid-0004',
    topic: 'alerts',
    createdAt: 1_767_225_603,
    payload: 'alerts.pb',
  },
  {
    file: 'envelope-errors.bin',
    txid: 'txid-0005',
    topic: 'errors',
    createdAt: 1_767_225_605,
    payload: 'errors.pb',
  },
] as const;

for (const { file, txid, topic, createdAt, payload } of envelopeCases) {
  test(`${file} from flatc decodes: txid, topic, stream fields and the payload's bytes`, () => {
    const envelope = decodeEnvelope(fixture(file));
    assert.equal(envelope.messageType, 'FlatbuffersStream');
    assert.equal(text(envelope.txid), txid);
    assert.equal(envelope.topic, topic);
    assert.equal(text(envelope.messageId), `msg-${txid.slice(-1)}`);
    const stream = envelope.stream!;
    assert.equal(stream.createdAt, createdAt);
    assert.equal(stream.senderId, `vehicle_device.${VIN}`);
    assert.equal(stream.deviceType, 'vehicle_device');
    assert.equal(stream.deviceId, VIN);
    assert.equal(stream.deliveredAtEpochMs, 1_767_225_610_123);
    assert.deepEqual(Buffer.from(stream.payload), fixture(payload));
  });
}

test('a record from a flatc frame carries the certificate VIN, the txid in hex and the payload time', () => {
  const envelope = decodeEnvelope(fixture('envelope-v-typed.bin'));
  const { record, payloadVin, vinMismatch } = decodeRecord(envelope, {
    vin: 'LRW3E7EB2NF999999',
    receivedAt: 1_767_225_611_000,
    deviceClientVersion: '1.2.0',
  });
  assert.equal(record.type, 'V');
  assert.equal(record.vin, 'LRW3E7EB2NF999999');
  assert.equal(record.txid, Buffer.from('txid-0001').toString('hex'));
  assert.equal(record.createdAt, 1_767_225_600_250);
  assert.equal(record.deviceClientVersion, '1.2.0');
  assert.equal(payloadVin, VIN);
  assert.equal(vinMismatch, true);
  assert.equal(decodeRecord(envelope, { vin: VIN, receivedAt: 0 }).vinMismatch, false);
  const alerts = decodeRecord(decodeEnvelope(fixture('envelope-alerts.bin')), {
    vin: VIN,
    receivedAt: 0,
  }).record;
  assert.equal(alerts.type === 'alerts' && alerts.alerts.length, 2);
  const errors = decodeRecord(decodeEnvelope(fixture('envelope-errors.bin')), {
    vin: VIN,
    receivedAt: 0,
  }).record;
  assert.equal(errors.type === 'errors' && errors.errors[0]?.tags['interface'], 'wifi');
});

test("our ack reads the same as the ack flatc makes from Tesla's schema", () => {
  const ours = encodeAck(Buffer.from('txid-0001'), 'V');
  const flatc = fixture('envelope-ack.bin');
  const decoded = decodeEnvelope(flatc);
  assert.equal(decoded.messageType, 'FlatbuffersStreamAck');
  assert.equal(text(decoded.txid), 'txid-0001');
  assert.equal(decoded.topic, 'V');
  const mine = decodeEnvelope(Buffer.from(ours));
  assert.deepEqual(
    { ...mine, txid: text(mine.txid), messageId: text(mine.messageId) },
    {
      ...decoded,
      txid: 'txid-0001',
      messageId: '',
    },
  );
});

test('a union tag other than 4 or 5, and a topic that is no record type, are clean errors', () => {
  assert.throws(
    () => decodeEnvelope(fixture('envelope-tag2.bin')),
    (error: unknown) =>
      error instanceof GatehouseError && error.code === 'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED',
  );
  const unknownTopic = decodeEnvelope(fixture('envelope-unknown-topic.bin'));
  assert.equal(unknownTopic.topic, 'metrics');
  assert.throws(
    () => decodeRecord(unknownTopic, { vin: VIN, receivedAt: 0 }),
    (error: unknown) =>
      error instanceof GatehouseError &&
      error.code === 'TELEMETRY_TOPIC_UNKNOWN' &&
      /metrics/.test(error.message),
  );
});
