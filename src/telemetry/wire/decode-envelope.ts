/** Decodes Tesla's FlatBuffers envelope from a frame, checking every offset. */
import { CheckedFlatbuffer, type CheckedTable } from './checked-flatbuffer.ts';
import {
  ENVELOPE_SLOT,
  type Envelope,
  MAX_MESSAGE_BYTES,
  MESSAGE_TAG,
  STREAM_SLOT,
  type StreamMessage,
} from './envelope.ts';
import { wireError } from './wire-error.ts';

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();
/** The topics vehicles send, kept as strings so the common case decodes no text. */
const TOPICS = new Map<number, string>([
  [0x56, 'V'],
  [0x61, 'alerts'],
  [0x65, 'errors'],
]);

function text(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  return utf8.decode(bytes);
}

function topicText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  const known = TOPICS.get(bytes[0]!);
  if (known !== undefined && known.length === bytes.length) {
    let same = true;
    for (let i = 1; i < bytes.length && same; i++) same = bytes[i] === known.charCodeAt(i);
    if (same) return known;
  }
  return utf8.decode(bytes);
}

function readStream(frame: CheckedFlatbuffer, table: CheckedTable): StreamMessage {
  return {
    createdAt: frame.uint32(table, STREAM_SLOT.createdAt, 'created_at'),
    senderId: text(frame.bytesField(table, STREAM_SLOT.senderId, 'sender_id')),
    payload: frame.bytesField(table, STREAM_SLOT.payload, 'payload') ?? EMPTY,
    deviceType: text(frame.bytesField(table, STREAM_SLOT.deviceType, 'device_type')),
    deviceId: text(frame.bytesField(table, STREAM_SLOT.deviceId, 'device_id')),
    deliveredAtEpochMs: frame.uint64(table, STREAM_SLOT.deliveredAtEpochMs, 'delivered_at_epoch_ms'),
  };
}

/**
 * Decodes a frame into its envelope. Throws, and throws only, a GatehouseError:
 * TELEMETRY_MESSAGE_TOO_LARGE over 1,000,000 bytes, TELEMETRY_ENVELOPE_INVALID for bytes that are
 * not an envelope, TELEMETRY_MESSAGE_TYPE_UNSUPPORTED for a union tag other than 4 or 5.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw wireError(
      'TELEMETRY_MESSAGE_TOO_LARGE',
      `the frame is ${bytes.length} bytes; telemetry messages may be at most ${MAX_MESSAGE_BYTES} bytes`,
      'frame',
    );
  }
  const frame = new CheckedFlatbuffer(bytes);
  const root = frame.root('envelope');
  const txid = frame.bytesField(root, ENVELOPE_SLOT.txid, 'txid') ?? EMPTY;
  const topic = topicText(frame.bytesField(root, ENVELOPE_SLOT.topic, 'topic'));
  const messageId = frame.bytesField(root, ENVELOPE_SLOT.messageId, 'message_id') ?? EMPTY;
  const tag = frame.uint8(root, ENVELOPE_SLOT.messageType, 'message_type');
  const message = frame.tableField(root, ENVELOPE_SLOT.message, 'message');
  if (tag === MESSAGE_TAG.FlatbuffersStream) {
    if (!message) throw noMessage('FlatbuffersStream');
    return { txid, topic, messageType: 'FlatbuffersStream', stream: readStream(frame, message), messageId };
  }
  if (tag === MESSAGE_TAG.FlatbuffersStreamAck) {
    if (!message) throw noMessage('FlatbuffersStreamAck');
    return { txid, topic, messageType: 'FlatbuffersStreamAck', messageId };
  }
  throw wireError(
    'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED',
    `the envelope's message type is ${tag}; vehicles send FlatbuffersStream (4), servers answer FlatbuffersStreamAck (5)`,
    'message_type',
  );
}

function noMessage(type: string): Error {
  return wireError(
    'TELEMETRY_ENVELOPE_INVALID',
    `the envelope says it carries a ${type} but has no message table`,
    'message',
  );
}

/**
 * The txid and topic of a frame whose envelope may be broken, for the `incorrect message format`
 * reply and for acking message types this server does not handle. Never throws.
 */
export function salvageEnvelopeIds(bytes: Uint8Array): { txid?: Uint8Array; topic?: string } {
  try {
    if (bytes.length > MAX_MESSAGE_BYTES) return {};
    const frame = new CheckedFlatbuffer(bytes);
    const root = frame.root('envelope');
    const txid = frame.bytesField(root, ENVELOPE_SLOT.txid, 'txid');
    const topic = frame.bytesField(root, ENVELOPE_SLOT.topic, 'topic');
    return {
      ...(txid ? { txid } : {}),
      ...(topic ? { topic: topicText(topic) } : {}),
    };
  } catch {
    return {};
  }
}
