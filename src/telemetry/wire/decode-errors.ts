/** Decodes an `errors` payload (telemetry.vehicle_error.VehicleErrors). */
import type { VehicleError } from '../records.ts';
import { schemas } from './protobuf-schemas.ts';
import { type TimestampParts, timestampToMs } from './timestamps.ts';
import { decodeOrFail } from './wire-error.ts';

/** A decoded `errors` payload; `vin` is the payload's claim. */
export interface VehicleErrors {
  readonly vin: string;
  readonly createdAt: number | undefined;
  readonly errors: readonly VehicleError[];
}

interface DecodedError {
  created_at?: TimestampParts | null;
  name?: string;
  tags?: Record<string, string>;
  body?: string;
}

/** Decodes an `errors` payload; throws TELEMETRY_PAYLOAD_INVALID, and nothing else, on bad bytes. */
export function decodeErrors(bytes: Uint8Array): VehicleErrors {
  return decodeOrFail('TELEMETRY_PAYLOAD_INVALID', 'errors payload', () => {
    const message = schemas.vehicleErrors.decode(bytes) as unknown as {
      errors?: DecodedError[];
      created_at?: TimestampParts | null;
      vin?: string;
    };
    return {
      vin: message.vin ?? '',
      createdAt: timestampToMs(message.created_at),
      errors: (message.errors ?? []).map((error) => ({
        name: error.name ?? '',
        createdAt: timestampToMs(error.created_at),
        // a copy: protobufjs's map objects may carry keys such as __proto__ from the sender
        tags: Object.fromEntries(Object.entries(error.tags ?? {})),
        body: error.body ?? '',
      })),
    };
  });
}
