import type { FieldValue, VehicleAlert, VehicleError } from '../../telemetry/records.ts';
import {
  decodeEnvelope,
  encodeAlerts,
  encodeErrors,
  encodeStreamEnvelope,
  encodeVehicleData,
} from '../../telemetry/wire/index.ts';
import type { Signal } from './vehicle-signals.ts';

/**
 * The frames a simulated vehicle sends and the acks it reads, in Tesla's wire format: a
 * FlatBuffers envelope around a protobuf payload, with the sender and device as vehicles set them.
 */

/** One message of a stream, before encoding. */
export type StreamMessage =
  | { readonly topic: 'V'; readonly createdAt: number; readonly fields: ReadonlyMap<string, Signal> }
  | { readonly topic: 'alerts'; readonly createdAt: number; readonly alerts: readonly VehicleAlert[] }
  | { readonly topic: 'errors'; readonly createdAt: number; readonly errors: readonly VehicleError[] };

/**
 * A signal as a FieldValue naming its `Value` member. Typed, as Tesla's vehicles send it since
 * August 2025; with `typed` false (older firmware without `prefer_typed`) numbers and booleans go
 * as strings. Enums and locations keep their own members either way.
 */
export function fieldValueOf(signal: Signal, typed: boolean): FieldValue {
  switch (signal.kind) {
    case 'invalid':
      return null;
    case 'enum':
      return signal.value;
    case 'location':
      return { location_value: signal.value };
    case 'string':
      return { string_value: signal.value };
    case 'double':
      return typed ? { double_value: signal.value } : { string_value: String(signal.value) };
    case 'int':
      return typed ? { int_value: signal.value } : { string_value: String(signal.value) };
    case 'bool':
      return typed ? { boolean_value: signal.value } : { string_value: String(signal.value) };
  }
}

/** Encodes one message as the frame a vehicle writes to the socket. */
export function encodeFrame(input: {
  readonly vin: string;
  readonly txid: string;
  readonly message: StreamMessage;
  readonly isResend: boolean;
  /** Numbers and booleans typed; false sends them as strings. */
  readonly typed: boolean;
  readonly now: number;
}): Uint8Array {
  const { vin, message } = input;
  let payload: Uint8Array;
  if (message.topic === 'V') {
    const fields: Record<string, FieldValue> = {};
    for (const [name, signal] of message.fields) fields[name] = fieldValueOf(signal, input.typed);
    payload = encodeVehicleData({ vin, createdAt: message.createdAt, isResend: input.isResend, fields });
  } else if (message.topic === 'alerts') {
    payload = encodeAlerts({ vin, createdAt: message.createdAt, alerts: message.alerts });
  } else {
    payload = encodeErrors({ vin, createdAt: message.createdAt, errors: message.errors });
  }
  return encodeStreamEnvelope({
    txid: input.txid,
    topic: message.topic,
    createdAt: Math.floor(message.createdAt / 1000),
    senderId: `vehicle_device.${vin}`,
    deviceType: 'vehicle_device',
    deviceId: vin,
    deliveredAtEpochMs: input.now,
    payload,
  });
}

/** What a frame from the server says: an ack of a txid, a format-error reply, or neither. */
export type ServerReply =
  | { readonly kind: 'ack'; readonly txid: string }
  | { readonly kind: 'rejected'; readonly txid: string }
  | { readonly kind: 'unreadable' };

const text = new TextDecoder();

/** Reads a server frame; never throws. */
export function readServerFrame(bytes: Uint8Array): ServerReply {
  try {
    const envelope = decodeEnvelope(bytes);
    const txid = text.decode(envelope.txid);
    if (envelope.messageType === 'FlatbuffersStreamAck') return { kind: 'ack', txid };
    if (envelope.stream) return { kind: 'rejected', txid };
    return { kind: 'unreadable' };
  } catch {
    return { kind: 'unreadable' };
  }
}
