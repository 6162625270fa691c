import { GatehouseError } from '../../core/errors.ts';
import {
  decodeEnvelope,
  decodeRecord,
  encodeAck,
  encodeFormatError,
  salvageEnvelopeIds,
} from '../wire/index.ts';
import type { FrameMeta, FrameOutcome } from './frame-outcome.ts';

const EMPTY = new Uint8Array(0);

/** Well-formed messages the receiver does not take; acked anyway, so the vehicle stops resending. */
const ACKED_UNHANDLED = new Set(['TELEMETRY_MESSAGE_TYPE_UNSUPPORTED', 'TELEMETRY_TOPIC_UNKNOWN']);

/**
 * One frame in Tesla's wire format, read as Tesla's server does: a record to dispatch, a message
 * acked without a record, or garbage answered with `incorrect message format` (echoing the txid
 * when it can be read). Never throws.
 */
export function readFrame(bytes: Uint8Array, meta: FrameMeta): FrameOutcome {
  try {
    const envelope = decodeEnvelope(bytes);
    const decoded = decodeRecord(envelope, meta);
    return {
      kind: 'record',
      record: decoded.record,
      ack: encodeAck(envelope.txid, envelope.topic),
      payloadVin: decoded.vinMismatch ? decoded.payloadVin : undefined,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const ids = salvageEnvelopeIds(bytes);
    if (error instanceof GatehouseError && ACKED_UNHANDLED.has(error.code))
      return { kind: 'unhandled', ack: encodeAck(ids.txid ?? EMPTY, ids.topic ?? ''), why };
    return { kind: 'malformed', reply: encodeFormatError(ids.txid ?? EMPTY), why };
  }
}
