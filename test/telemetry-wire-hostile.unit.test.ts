import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Builder } from 'flatbuffers';
import { GatehouseError } from '../src/core/errors.ts';
import {
  decodeAlerts,
  decodeEnvelope,
  decodeErrors,
  decodeRecord,
  decodeVehicleData,
  encodeAck,
  encodeStreamEnvelope,
  encodeVehicleData,
  MAX_MESSAGE_BYTES,
  salvageEnvelopeIds,
} from '../src/telemetry/wire/index.ts';

const fixture = (name: string) => readFileSync(new URL(`fixtures/telemetry/${name}`, import.meta.url));
const GOOD_FRAME = fixture('envelope-v-typed.bin');
const GOOD_PAYLOAD = fixture('v-typed.pb');
const context = { vin: '5YJ3E7EB2NF000001', receivedAt: 1 };

/** Runs `decode`; passes if it returns or throws a GatehouseError with a TELEMETRY_* code. */
function cleanOutcome(decode: () => unknown): 'ok' | string {
  try {
    decode();
    return 'ok';
  } catch (error) {
    if (error instanceof GatehouseError && error.code.startsWith('TELEMETRY_')) return error.code;
    throw new assert.AssertionError({
      message: `a decoder threw something other than a GatehouseError: ${String(error)}`,
    });
  }
}

function assertCode(decode: () => unknown, code: string, why: string): void {
  assert.equal(cleanOutcome(decode), code, why);
}

/** A FlatbuffersEnvelope with any union tag, built with the flatbuffers runtime directly. */
function envelopeWithTag(tag: number, withMessage: boolean): Uint8Array {
  const builder = new Builder(64);
  const txid = builder.createByteVector(Buffer.from('t-1'));
  const topic = builder.createByteVector(Buffer.from('V'));
  let message = 0;
  if (withMessage) {
    builder.startObject(0);
    message = builder.endObject();
  }
  builder.startObject(5);
  builder.addFieldOffset(0, txid, 0);
  builder.addFieldOffset(1, topic, 0);
  builder.addFieldInt8(2, tag, 0);
  if (withMessage) builder.addFieldOffset(3, message, 0);
  builder.finish(builder.endObject());
  return builder.asUint8Array();
}

test('garbage frames are TELEMETRY_ENVELOPE_INVALID', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(1)],
    ['four zero bytes', new Uint8Array(4)],
    ['text', Buffer.from('hello, this is not flatbuffers')],
    ['root past the end', Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0)],
    ['vtable before the start', Uint8Array.of(4, 0, 0, 0, 0x7f, 0, 0, 0)],
    ['vtable size zero', Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0)],
    ['vtable claims 64 KiB', Uint8Array.of(8, 0, 0, 0, 0xfe, 0xff, 4, 0, 4, 0, 0, 0)],
    ['JSON', Buffer.from('{"txid":"1","topic":"V"}')],
  ];
  for (const [why, bytes] of cases)
    assertCode(() => decodeEnvelope(bytes), 'TELEMETRY_ENVELOPE_INVALID', why);
});

test('every prefix of a good frame is a clean error or, when only padding was cut, the same envelope', () => {
  const whole = decodeEnvelope(GOOD_FRAME);
  let errors = 0;
  for (let length = 0; length < GOOD_FRAME.length; length++) {
    const prefix = GOOD_FRAME.subarray(0, length);
    const outcome = cleanOutcome(() => decodeEnvelope(prefix));
    if (outcome === 'ok') assert.deepEqual(decodeEnvelope(prefix), whole, `prefix of ${length} bytes`);
    else errors++;
  }
  assert.ok(errors >= GOOD_FRAME.length - 8, `only ${errors} of ${GOOD_FRAME.length} prefixes were refused`);
});

test('every prefix of a good payload decodes or is TELEMETRY_PAYLOAD_INVALID', () => {
  const codes = new Set<string>();
  for (let length = 0; length < GOOD_PAYLOAD.length; length++) {
    codes.add(cleanOutcome(() => decodeVehicleData(GOOD_PAYLOAD.subarray(0, length))));
  }
  assert.deepEqual([...codes].sort(), ['TELEMETRY_PAYLOAD_INVALID', 'ok']);
});

test('length prefixes larger than the frame are refused, not trusted', () => {
  const payload = Buffer.from('abcdefgh');
  const frame = Buffer.from(encodeStreamEnvelope({ txid: 't', topic: 'V', payload }));
  const at = decodeEnvelope(frame).stream!.payload.byteOffset - frame.byteOffset - 4;
  for (const length of [frame.length - at - 4 + 1, 0x7fff_ffff, 0xffff_ffff]) {
    const hostile = Buffer.from(frame);
    hostile.writeUInt32LE(length, at);
    assertCode(() => decodeEnvelope(hostile), 'TELEMETRY_ENVELOPE_INVALID', `vector length ${length}`);
  }
  // a protobuf datum that claims 2 GiB
  assertCode(
    () => decodeVehicleData(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x08, 0x04)),
    'TELEMETRY_PAYLOAD_INVALID',
    'datum length',
  );
  assertCode(
    () => decodeAlerts(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0x0f)),
    'TELEMETRY_PAYLOAD_INVALID',
    'alert length',
  );
});

test('a frame over 1,000,000 bytes is TELEMETRY_MESSAGE_TOO_LARGE before anything is read', () => {
  const big = encodeStreamEnvelope({ txid: 't', topic: 'V', payload: new Uint8Array(MAX_MESSAGE_BYTES) });
  assertCode(() => decodeEnvelope(big), 'TELEMETRY_MESSAGE_TOO_LARGE', 'oversized frame');
});

test('union tags other than 4 and 5 are unsupported; 4 or 5 without a table is invalid', () => {
  for (const tag of [0, 1, 2, 3, 6, 255]) {
    assertCode(
      () => decodeEnvelope(envelopeWithTag(tag, true)),
      'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED',
      `tag ${tag}`,
    );
  }
  assertCode(
    () => decodeEnvelope(envelopeWithTag(4, false)),
    'TELEMETRY_ENVELOPE_INVALID',
    'stream without table',
  );
  assertCode(
    () => decodeEnvelope(envelopeWithTag(5, false)),
    'TELEMETRY_ENVELOPE_INVALID',
    'ack without table',
  );
  // the txid survives for the format-error reply
  assert.equal(Buffer.from(salvageEnvelopeIds(envelopeWithTag(3, true)).txid ?? []).toString(), 't-1');
  assert.deepEqual(salvageEnvelopeIds(Buffer.from('garbage')), {});
});

test('an ack or an unknown topic is no record', () => {
  const ack = decodeEnvelope(encodeAck(Buffer.from('t'), 'V'));
  assertCode(() => decodeRecord(ack, context), 'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED', 'ack');
  for (const topic of ['', 'v', 'connectivity', 'x'.repeat(300)]) {
    const envelope = decodeEnvelope(encodeStreamEnvelope({ txid: 't', topic, payload: GOOD_PAYLOAD }));
    assertCode(
      () => decodeRecord(envelope, context),
      'TELEMETRY_TOPIC_UNKNOWN',
      `topic ${topic.slice(0, 12)}`,
    );
  }
});

test('payloads that are not their schema are TELEMETRY_PAYLOAD_INVALID', () => {
  const cases: [string, Uint8Array][] = [
    ['varint that never ends', new Uint8Array(12).fill(0xff)],
    ['field number 0', Uint8Array.of(0x00, 0x01)],
    ['wire type 7', Uint8Array.of(0x0f)],
    ['datum key as bytes', Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0x00)],
    ['value member with the wrong wire type', Uint8Array.of(0x0a, 0x06, 0x08, 0x04, 0x12, 0x02, 0x25, 0x01)],
    [
      'groups nested past the limit',
      Buffer.concat([Uint8Array.of(0x0a, 0x80, 0x20), Buffer.alloc(4096, 0x0b)]),
    ],
    ['an unterminated group', Uint8Array.of(0x2b, 0x08, 0x01)],
  ];
  for (const [why, bytes] of cases) {
    assertCode(() => decodeVehicleData(bytes), 'TELEMETRY_PAYLOAD_INVALID', why);
  }
  for (const decode of [decodeAlerts, decodeErrors]) {
    assertCode(() => decode(Buffer.from('not protobuf at all')), 'TELEMETRY_PAYLOAD_INVALID', decode.name);
  }
});

/** xorshift32: the same bytes on every run, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

test('random bytes and mutated frames never throw anything but a TELEMETRY_* GatehouseError', () => {
  const next = random(0x5eed_1234);
  const decoders = [decodeEnvelope, decodeVehicleData, decodeAlerts, decodeErrors];
  for (let i = 0; i < 3_000; i++) {
    const bytes = new Uint8Array(next() % 160);
    for (let j = 0; j < bytes.length; j++) bytes[j] = next() & 0xff;
    for (const decode of decoders) cleanOutcome(() => decode(bytes));
  }
  const payloadFrame = Buffer.from(
    encodeStreamEnvelope({
      txid: 'fuzz',
      topic: 'V',
      payload: encodeVehicleData({ vin: 'V', createdAt: 1, fields: { Soc: 1.5, Gear: 'ShiftStateP' } }),
    }),
  );
  for (const base of [
    GOOD_FRAME,
    payloadFrame,
    fixture('envelope-alerts.bin'),
    fixture('envelope-errors.bin'),
  ]) {
    for (let i = 0; i < 1_000; i++) {
      const mutated = Buffer.from(base);
      for (let flips = 1 + (next() % 4); flips > 0; flips--) mutated[next() % mutated.length] = next() & 0xff;
      cleanOutcome(() => decodeRecord(decodeEnvelope(mutated), context));
    }
  }
});
