/** Turns a decoded envelope into a TelemetryRecord, by topic, with the VIN of the certificate. */
import type { TelemetryRecord } from '../records.ts';
import { decodeAlerts } from './decode-alerts.ts';
import { decodeErrors } from './decode-errors.ts';
import { decodeVehicleData } from './decode-vehicle-data.ts';
import type { Envelope } from './envelope.ts';
import { wireError } from './wire-error.ts';

/** The topics vehicles send records on. */
export const RECORD_TOPICS = ['V', 'alerts', 'errors'] as const;

/** What the receiver knows of a message besides its bytes. */
export interface RecordContext {
  /** From the client certificate's CN; the payload's VIN is never trusted. */
  readonly vin: string;
  /** When the receiver got the frame, ms since the epoch. */
  readonly receivedAt: number;
  readonly deviceClientVersion?: string | undefined;
}

/** A record, and what the payload claimed about its VIN. */
export interface DecodedRecord {
  readonly record: TelemetryRecord;
  /** The payload's own `vin` ('' when it had none). */
  readonly payloadVin: string;
  /** True when the payload named a VIN other than the certificate's. */
  readonly vinMismatch: boolean;
}

/** The txid as lowercase hex, as records carry it. */
export function txidHex(txid: Uint8Array): string {
  return Buffer.from(txid.buffer, txid.byteOffset, txid.byteLength).toString('hex');
}

/**
 * Decodes the payload of a FlatbuffersStream envelope into the record its topic says, stamped
 * with `context.vin`. createdAt is the payload's time, else the envelope's, else receivedAt.
 * Throws TELEMETRY_MESSAGE_TYPE_UNSUPPORTED for an envelope that is not a stream,
 * TELEMETRY_TOPIC_UNKNOWN for another topic, TELEMETRY_PAYLOAD_INVALID for a bad payload.
 */
export function decodeRecord(envelope: Envelope, context: RecordContext): DecodedRecord {
  const stream = envelope.stream;
  if (!stream) {
    throw wireError(
      'TELEMETRY_MESSAGE_TYPE_UNSUPPORTED',
      `the envelope carries a ${envelope.messageType}, not a FlatbuffersStream record`,
      'message_type',
    );
  }
  const receivedAt = context.receivedAt;
  const fallbackCreatedAt = stream.createdAt > 0 ? stream.createdAt * 1000 : receivedAt;
  const txid = txidHex(envelope.txid);
  const vin = context.vin;
  const deviceClientVersion = context.deviceClientVersion;
  // Plain literals, not spreads: this runs for every message and spreads cost V8 a slow path.
  const claimed = (payloadVin: string, record: TelemetryRecord): DecodedRecord => ({
    record,
    payloadVin,
    vinMismatch: payloadVin !== '' && payloadVin !== vin,
  });
  switch (envelope.topic) {
    case 'V': {
      const data = decodeVehicleData(stream.payload);
      const createdAt = data.createdAt ?? fallbackCreatedAt;
      const { fields, isResend } = data;
      return claimed(data.vin, {
        type: 'V',
        vin,
        createdAt,
        receivedAt,
        txid,
        deviceClientVersion,
        fields,
        isResend,
      });
    }
    case 'alerts': {
      const data = decodeAlerts(stream.payload);
      const createdAt = data.createdAt ?? fallbackCreatedAt;
      const { alerts } = data;
      return claimed(data.vin, {
        type: 'alerts',
        vin,
        createdAt,
        receivedAt,
        txid,
        deviceClientVersion,
        alerts,
      });
    }
    case 'errors': {
      const data = decodeErrors(stream.payload);
      const createdAt = data.createdAt ?? fallbackCreatedAt;
      const { errors } = data;
      return claimed(data.vin, {
        type: 'errors',
        vin,
        createdAt,
        receivedAt,
        txid,
        deviceClientVersion,
        errors,
      });
    }
    default:
      throw wireError(
        'TELEMETRY_TOPIC_UNKNOWN',
        `the envelope's topic ${JSON.stringify(envelope.topic.slice(0, 64))} is not a record type; vehicles send ${RECORD_TOPICS.join(', ')}`,
        'topic',
      );
  }
}
