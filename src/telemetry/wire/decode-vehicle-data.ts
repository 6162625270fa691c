/** Decodes a `V` payload (telemetry.vehicle_data.Payload): the vehicle's changed fields. */
import type { FieldValue } from '../records.ts';
import { readValue } from './decode-value.ts';
import { fieldName } from './field-names.ts';
import { Reader } from './protobuf-schemas.ts';
import { readTimestampMs } from './timestamps.ts';
import { decodeOrFail } from './wire-error.ts';

/** A decoded `V` payload. The `vin` is the payload's own claim; records take the certificate's. */
export interface VehicleData {
  readonly vin: string;
  /** The vehicle's time of the data, ms since the epoch; undefined when the payload has none. */
  readonly createdAt: number | undefined;
  readonly isResend: boolean;
  /** Tesla's field names (`Field_<n>` for numbers this schema lacks) to their values. */
  readonly fields: Record<string, FieldValue>;
}

function expectWireType(tag: number, wireType: number, what: string): void {
  if ((tag & 7) !== wireType) throw new RangeError(`${what} has wire type ${tag & 7}, not ${wireType}`);
}

function readDatum(reader: Reader, length: number, fields: Record<string, FieldValue>): void {
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError('a datum runs past the end of the payload');
  let key = 0;
  let valueAt = -1;
  let valueLength = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      expectWireType(tag, 0, 'a datum key');
      key = reader.int32();
    } else if (tag >>> 3 === 2) {
      expectWireType(tag, 2, 'a datum value');
      valueLength = reader.uint32();
      valueAt = reader.pos;
      reader.skip(valueLength);
    } else {
      reader.skipType(tag & 7, 0, tag >>> 3);
    }
  }
  if (reader.pos !== end) throw new RangeError('a datum runs past its length');
  // The value is read after the whole datum because a sender may put the key after it.
  let value: FieldValue = null;
  if (valueAt >= 0) {
    reader.pos = valueAt;
    value = readValue(reader, valueLength, key);
    reader.pos = end;
  }
  fields[fieldName(key)] = value;
}

/**
 * Decodes a `V` payload. Enums come by their Tesla names, `invalid` as null, a datum without a
 * value as null, a `Location` sent as text as a location, numbers in scientific notation as
 * numbers. Throws TELEMETRY_PAYLOAD_INVALID, and nothing else, when the bytes are not a Payload.
 */
export function decodeVehicleData(bytes: Uint8Array): VehicleData {
  return decodeOrFail('TELEMETRY_PAYLOAD_INVALID', 'V payload', () => {
    const reader = Reader.create(bytes);
    const fields: Record<string, FieldValue> = {};
    let vin = '';
    let createdAt: number | undefined;
    let isResend = false;
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      switch (tag >>> 3) {
        case 1:
          expectWireType(tag, 2, 'data');
          readDatum(reader, reader.uint32(), fields);
          break;
        case 2:
          expectWireType(tag, 2, 'created_at');
          createdAt = readTimestampMs(reader, reader.uint32());
          break;
        case 3:
          expectWireType(tag, 2, 'vin');
          vin = reader.string();
          break;
        case 4:
          expectWireType(tag, 0, 'is_resend');
          isResend = reader.bool();
          break;
        case 0:
          throw new RangeError('field number 0');
        default:
          reader.skipType(tag & 7, 0, tag >>> 3);
      }
    }
    return { vin, createdAt, isResend, fields };
  });
}
