/** Encodes Tesla's FlatBuffers envelopes: acks, the format-error reply and records (for vehicles). */
import { Builder } from 'flatbuffers';
import { ENVELOPE_SLOT, MESSAGE_TAG, STREAM_SLOT } from './envelope.ts';

const utf8 = new TextEncoder();
const FORMAT_ERROR = utf8.encode('incorrect message format');
const EMPTY = new Uint8Array(0);
/** Acks are made for every message: one builder, reset each time, and the topics' bytes kept. */
const ackBuilder = new Builder(256);
const topicBytes = new Map<string, Uint8Array>(['V', 'alerts', 'errors'].map((t) => [t, utf8.encode(t)]));

/** What a vehicle puts in a FlatbuffersStream envelope. */
export interface StreamEnvelopeInput {
  readonly txid: Uint8Array | string;
  readonly topic: string;
  /** Seconds since the epoch (uint32). */
  readonly createdAt?: number;
  readonly senderId?: string;
  readonly payload: Uint8Array;
  readonly deviceType?: string;
  readonly deviceId?: string;
  readonly deliveredAtEpochMs?: number;
  readonly messageId?: Uint8Array | string;
}

function bytesOf(value: Uint8Array | string | undefined): Uint8Array {
  if (value === undefined) return EMPTY;
  return typeof value === 'string' ? utf8.encode(value) : value;
}

function finishEnvelope(
  builder: Builder,
  txid: Uint8Array,
  topic: Uint8Array,
  tag: number,
  message: number,
  messageId: Uint8Array,
): Uint8Array {
  const txidVector = builder.createByteVector(txid);
  const topicVector = builder.createByteVector(topic);
  const messageIdVector = builder.createByteVector(messageId);
  builder.startObject(5);
  builder.addFieldOffset(ENVELOPE_SLOT.txid, txidVector, 0);
  builder.addFieldOffset(ENVELOPE_SLOT.topic, topicVector, 0);
  builder.addFieldInt8(ENVELOPE_SLOT.messageType, tag, 0);
  builder.addFieldOffset(ENVELOPE_SLOT.message, message, 0);
  builder.addFieldOffset(ENVELOPE_SLOT.messageId, messageIdVector, 0);
  builder.finish(builder.endObject());
  return builder.asUint8Array();
}

/**
 * The ack of a record: the original txid, topic = the record type, an empty message_id and union
 * tag 5 with an empty FlatbuffersStreamAck, as Tesla's server sends it.
 */
export function encodeAck(txid: Uint8Array, topic: string): Uint8Array {
  const builder = ackBuilder;
  builder.clear();
  builder.startObject(0);
  const ack = builder.endObject();
  const topicVector = topicBytes.get(topic) ?? utf8.encode(topic);
  // a copy: the builder's buffer is reused by the next ack
  return finishEnvelope(builder, txid, topicVector, MESSAGE_TAG.FlatbuffersStreamAck, ack, EMPTY).slice();
}

function streamTable(
  builder: Builder,
  input: Omit<StreamEnvelopeInput, 'txid' | 'topic' | 'messageId'>,
): number {
  const senderId = builder.createByteVector(bytesOf(input.senderId));
  const payload = builder.createByteVector(input.payload);
  const deviceType = builder.createByteVector(bytesOf(input.deviceType));
  const deviceId = builder.createByteVector(bytesOf(input.deviceId));
  builder.startObject(6);
  builder.addFieldInt32(STREAM_SLOT.createdAt, (input.createdAt ?? 0) >>> 0, 0);
  builder.addFieldOffset(STREAM_SLOT.senderId, senderId, 0);
  builder.addFieldOffset(STREAM_SLOT.payload, payload, 0);
  builder.addFieldOffset(STREAM_SLOT.deviceType, deviceType, 0);
  builder.addFieldOffset(STREAM_SLOT.deviceId, deviceId, 0);
  builder.addFieldInt64(
    STREAM_SLOT.deliveredAtEpochMs,
    BigInt(Math.max(0, Math.trunc(input.deliveredAtEpochMs ?? 0))),
    0n,
  );
  return builder.endObject();
}

/** The reply to a frame that could not be parsed: a FlatbuffersStream with the same txid. */
export function encodeFormatError(txid: Uint8Array): Uint8Array {
  const builder = new Builder(96 + txid.length);
  const stream = streamTable(builder, { payload: FORMAT_ERROR });
  return finishEnvelope(builder, txid, EMPTY, MESSAGE_TAG.FlatbuffersStream, stream, EMPTY);
}

/** A record frame as a vehicle sends it. */
export function encodeStreamEnvelope(input: StreamEnvelopeInput): Uint8Array {
  const builder = new Builder(128 + input.payload.length);
  const stream = streamTable(builder, input);
  return finishEnvelope(
    builder,
    bytesOf(input.txid),
    utf8.encode(input.topic),
    MESSAGE_TAG.FlatbuffersStream,
    stream,
    bytesOf(input.messageId),
  );
}
