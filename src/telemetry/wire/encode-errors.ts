/** Encodes an `errors` payload (telemetry.vehicle_error.VehicleErrors). */
import type { VehicleError } from '../records.ts';
import { schemas } from './protobuf-schemas.ts';
import { msToTimestamp } from './timestamps.ts';

/** What an `errors` payload holds. */
export interface VehicleErrorsInput {
  readonly vin: string;
  readonly createdAt?: number | undefined;
  readonly errors: readonly VehicleError[];
}

/** Encodes an `errors` payload. */
export function encodeErrors(input: VehicleErrorsInput): Uint8Array {
  const message = schemas.vehicleErrors.fromObject({
    vin: input.vin,
    ...(input.createdAt === undefined ? {} : { created_at: msToTimestamp(input.createdAt) }),
    errors: input.errors.map((error) => ({
      name: error.name,
      ...(error.createdAt === undefined ? {} : { created_at: msToTimestamp(error.createdAt) }),
      tags: { ...error.tags },
      body: error.body,
    })),
  });
  return schemas.vehicleErrors.encode(message).finish();
}
