/** Encodes a `V` payload (telemetry.vehicle_data.Payload), for virtual vehicles and tests. */
import type { FieldValue } from '../records.ts';
import { writeValueBody } from './encode-value.ts';
import { fieldNumber } from './field-names.ts';
import { Writer } from './protobuf-schemas.ts';
import { writeTimestamp } from './timestamps.ts';
import { wireError } from './wire-error.ts';

/** What a `V` payload holds. */
export interface VehicleDataInput {
  readonly vin: string;
  /** ms since the epoch; left out of the payload when undefined. */
  readonly createdAt?: number | undefined;
  readonly isResend?: boolean | undefined;
  /** Tesla field names (or `Field_<n>`) to values, as decodeVehicleData gives them. */
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/**
 * Encodes a `V` payload; see writeValueBody for how each value picks its member. Throws
 * TELEMETRY_VALUE_INVALID naming the field for an unknown field name or a value that fits no member.
 */
export function encodeVehicleData(input: VehicleDataInput): Uint8Array {
  const writer = Writer.create();
  for (const [name, value] of Object.entries(input.fields)) {
    const key = fieldNumber(name);
    if (key === undefined) {
      throw wireError(
        'TELEMETRY_VALUE_INVALID',
        `cannot encode ${name}: it is not one of Tesla's telemetry fields (use its Field name or Field_<n>)`,
        name,
      );
    }
    writer.uint32(10).fork();
    if (key !== 0) writer.uint32(8).int32(key);
    writer.uint32(18).fork();
    writeValueBody(writer, value, name);
    writer.ldelim().ldelim();
  }
  if (input.createdAt !== undefined) writeTimestamp(writer, 2, input.createdAt);
  if (input.vin !== '') writer.uint32(26).string(input.vin);
  if (input.isResend) writer.uint32(32).bool(true);
  return writer.finish();
}
