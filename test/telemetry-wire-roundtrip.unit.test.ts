import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldValue } from '../src/telemetry/records.ts';
import {
  decodeAlerts,
  decodeConnectivity,
  decodeEnvelope,
  decodeErrors,
  decodeRecord,
  decodeVehicleData,
  encodeAck,
  encodeAlerts,
  encodeConnectivity,
  encodeErrors,
  encodeFormatError,
  encodeStreamEnvelope,
  encodeVehicleData,
} from '../src/telemetry/wire/index.ts';

const VIN = '5YJ3E7EB2NF000001';
const CREATED = 1_767_225_600_250;

const fieldCases: readonly [string, FieldValue, FieldValue?][] = [
  ['VehicleSpeed', 61.5],
  ['Soc', 80],
  ['Odometer', 12_345.678],
  ['EnergyRemaining', 2 ** 40],
  ['Gear', 'ShiftStateD'],
  ['DetailedChargeState', 'DetailedChargeStateCharging'],
  ['InsideTemp', null],
  ['Locked', true],
  ['VehicleName', 'Grace'],
  ['Location', { latitude: 37.412374, longitude: -122.145867 }],
  [
    'DoorState',
    {
      DriverFront: true,
      DriverRear: false,
      PassengerFront: false,
      PassengerRear: false,
      TrunkFront: false,
      TrunkRear: true,
    },
  ],
  [
    'ScheduledChargingStartTime',
    { time_value: { hour: 7, minute: 30, second: 5 } },
    { hour: 7, minute: 30, second: 5 },
  ],
  ['PackVoltage', { float_value: 398.7 }, 398.7],
  ['PackCurrent', { string_value: '1.25e1' }, 12.5],
  ['Version', { string_value: '2025.44.25.5' }, '2025.44.25.5'],
  ['OutsideTemp', { string_value: '-4.5' }, '-4.5'],
  ['Field_300', 7],
  ['Trim', { unknown_value_99: 4 }],
  ['Experimental_1', { long_value: '9223372036854775807' }, '9223372036854775807'],
  ['Experimental_2', 'ShiftState_42'],
];

test('every kind of field value survives encodeVehicleData then decodeVehicleData', () => {
  const fields = Object.fromEntries(fieldCases.map(([name, value]) => [name, value]));
  const decoded = decodeVehicleData(
    encodeVehicleData({ vin: VIN, createdAt: CREATED, isResend: true, fields }),
  );
  assert.equal(decoded.vin, VIN);
  assert.equal(decoded.createdAt, CREATED);
  assert.equal(decoded.isResend, true);
  for (const [name, sent, expected] of fieldCases) {
    assert.deepEqual(decoded.fields[name], expected === undefined ? sent : expected, name);
  }
  // what decoding gives encodes to the same again
  const again = decodeVehicleData(
    encodeVehicleData({ vin: VIN, createdAt: CREATED, fields: decoded.fields }),
  );
  assert.deepEqual(again.fields, decoded.fields);
});

test('a stream envelope round-trips every field, and its record takes the certificate VIN', () => {
  const payload = encodeVehicleData({ vin: 'SOMEONEELSE000000', createdAt: CREATED, fields: { Soc: 55 } });
  const frame = encodeStreamEnvelope({
    txid: Buffer.from('0a0b0c', 'hex'),
    topic: 'V',
    createdAt: 1_767_225_600,
    senderId: `vehicle_device.${VIN}`,
    payload,
    deviceType: 'vehicle_device',
    deviceId: VIN,
    deliveredAtEpochMs: CREATED + 5,
    messageId: 'message-1',
  });
  const envelope = decodeEnvelope(frame);
  assert.equal(envelope.messageType, 'FlatbuffersStream');
  assert.equal(envelope.topic, 'V');
  assert.deepEqual(Buffer.from(envelope.txid), Buffer.from('0a0b0c', 'hex'));
  assert.equal(Buffer.from(envelope.messageId).toString(), 'message-1');
  assert.deepEqual(envelope.stream && { ...envelope.stream, payload: Buffer.from(envelope.stream.payload) }, {
    createdAt: 1_767_225_600,
    senderId: `vehicle_device.${VIN}`,
    payload: Buffer.from(payload),
    deviceType: 'vehicle_device',
    deviceId: VIN,
    deliveredAtEpochMs: CREATED + 5,
  });
  const { record, payloadVin, vinMismatch } = decodeRecord(envelope, { vin: VIN, receivedAt: CREATED + 9 });
  assert.deepEqual(record, {
    type: 'V',
    vin: VIN,
    createdAt: CREATED,
    receivedAt: CREATED + 9,
    txid: '0a0b0c',
    deviceClientVersion: undefined,
    fields: { Soc: 55 },
    isResend: false,
  });
  assert.equal(payloadVin, 'SOMEONEELSE000000');
  assert.equal(vinMismatch, true);
});

test('acks echo the txid and topic, carry union tag 5 and an empty message_id', () => {
  for (const [txid, topic] of [
    [Buffer.from('f00d', 'hex'), 'V'],
    [Buffer.from('txid-with-text'), 'alerts'],
    [Buffer.alloc(0), 'errors'],
  ] as const) {
    const ack = decodeEnvelope(encodeAck(txid, topic));
    assert.equal(ack.messageType, 'FlatbuffersStreamAck');
    assert.equal(ack.topic, topic);
    assert.deepEqual(Buffer.from(ack.txid), txid);
    assert.equal(ack.messageId.length, 0);
    assert.equal(ack.stream, undefined);
  }
});

test('the format-error reply is a stream envelope with the txid and "incorrect message format"', () => {
  const reply = decodeEnvelope(encodeFormatError(Buffer.from('abc')));
  assert.equal(reply.messageType, 'FlatbuffersStream');
  assert.equal(Buffer.from(reply.txid).toString(), 'abc');
  assert.equal(Buffer.from(reply.stream?.payload ?? []).toString(), 'incorrect message format');
});

test('alerts, errors and connectivity round-trip', () => {
  const alerts = [
    {
      name: 'Charging_Stopped',
      audiences: ['Customer', 'Service'],
      startedAt: CREATED - 60_000,
      endedAt: undefined,
    },
    { name: 'Door_Ajar', audiences: ['ServiceFix'], startedAt: CREATED - 120_000, endedAt: CREATED - 1_000 },
  ];
  assert.deepEqual(decodeAlerts(encodeAlerts({ vin: VIN, createdAt: CREATED, alerts })), {
    vin: VIN,
    createdAt: CREATED,
    alerts,
  });
  const errors = [
    { name: 'net_timeout', createdAt: CREATED, tags: { interface: 'wifi', attempt: '3' }, body: 'no route' },
  ];
  assert.deepEqual(decodeErrors(encodeErrors({ vin: VIN, createdAt: CREATED, errors })), {
    vin: VIN,
    createdAt: CREATED,
    errors,
  });
  const connectivity = {
    vin: VIN,
    connectionId: 'c-1',
    status: 'DISCONNECTED' as const,
    createdAt: CREATED,
    networkInterface: 'wifi',
  };
  assert.deepEqual(decodeConnectivity(encodeConnectivity(connectivity)), connectivity);
});

test('encoders refuse what no member can carry, naming the field', () => {
  const refused = (fields: Record<string, FieldValue>, field: string) =>
    assert.throws(
      () => encodeVehicleData({ vin: VIN, fields }),
      (error: unknown) =>
        error instanceof Error &&
        'code' in error &&
        error.code === 'TELEMETRY_VALUE_INVALID' &&
        error.message.includes(field),
    );
  refused({ NoSuchField: 1 }, 'NoSuchField');
  refused({ Gear: { shift_state_value: 'ShiftStateZ' } }, 'Gear');
  refused({ Soc: { int_value: 1.5 } }, 'Soc');
  refused({ Location: { latitude: 'north' } }, 'Location');
  assert.throws(
    () =>
      encodeAlerts({
        vin: VIN,
        alerts: [{ name: 'x', audiences: ['Nobody'], startedAt: 1, endedAt: undefined }],
      }),
    {
      code: 'TELEMETRY_VALUE_INVALID',
    },
  );
});

test('float32 values come back as the shortest decimal that is the same float32', () => {
  const cases: [number, number][] = [
    [Math.fround(61.3), 61.3],
    [Math.fround(398.7), 398.7],
    [Math.fround(0.0015), 0.0015],
    [Math.fround(12_345.67), 12_345.67],
    [Math.fround(1.2345e-10), 1.2345e-10],
    [Math.fround(-40.1), -40.1],
  ];
  for (const [float, shortest] of cases) {
    const decoded = decodeVehicleData(
      encodeVehicleData({ vin: VIN, fields: { PackVoltage: { float_value: float } } }),
    );
    assert.equal(decoded.fields['PackVoltage'], shortest);
  }
});

test('plain Uint8Arrays decode as Buffers do', () => {
  const payload = encodeVehicleData({
    vin: VIN,
    createdAt: CREATED,
    fields: { VehicleName: 'Zoë', Soc: 1.5, Gear: 'ShiftStateP' },
  });
  const frame = encodeStreamEnvelope({ txid: 'tx', topic: 'V', senderId: 'Zoë', payload });
  const asBuffer = decodeEnvelope(Buffer.from(frame));
  const asArray = decodeEnvelope(new Uint8Array(frame));
  assert.equal(asArray.stream?.senderId, 'Zoë');
  assert.deepEqual(
    decodeRecord(asArray, { vin: VIN, receivedAt: 0 }).record,
    decodeRecord(asBuffer, { vin: VIN, receivedAt: 0 }).record,
  );
  assert.deepEqual(decodeVehicleData(new Uint8Array(payload)), decodeVehicleData(Buffer.from(payload)));
});
