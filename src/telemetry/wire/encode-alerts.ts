/** Encodes an `alerts` payload (telemetry.vehicle_alerts.VehicleAlerts). */
import type { VehicleAlert } from '../records.ts';
import { schemas } from './protobuf-schemas.ts';
import { msToTimestamp } from './timestamps.ts';
import { wireError } from './wire-error.ts';

/** What an `alerts` payload holds. */
export interface VehicleAlertsInput {
  readonly vin: string;
  readonly createdAt?: number | undefined;
  readonly alerts: readonly VehicleAlert[];
}

const AUDIENCES = schemas.audience.values;

function audienceNumber(name: string): number {
  const number = AUDIENCES[name] ?? Number(/^Audience_(\d+)$/.exec(name)?.[1] ?? Number.NaN);
  if (!Number.isInteger(number)) {
    throw wireError(
      'TELEMETRY_VALUE_INVALID',
      `cannot encode the audience ${JSON.stringify(name)}: use ${Object.keys(AUDIENCES).join(', ')}`,
      'audiences',
    );
  }
  return number;
}

/** Encodes an `alerts` payload; an alert without `endedAt` is active. */
export function encodeAlerts(input: VehicleAlertsInput): Uint8Array {
  const message = schemas.vehicleAlerts.fromObject({
    vin: input.vin,
    ...(input.createdAt === undefined ? {} : { created_at: msToTimestamp(input.createdAt) }),
    alerts: input.alerts.map((alert) => ({
      name: alert.name,
      audiences: alert.audiences.map(audienceNumber),
      ...(alert.startedAt === undefined ? {} : { started_at: msToTimestamp(alert.startedAt) }),
      ...(alert.endedAt === undefined ? {} : { ended_at: msToTimestamp(alert.endedAt) }),
    })),
  });
  return schemas.vehicleAlerts.encode(message).finish();
}
