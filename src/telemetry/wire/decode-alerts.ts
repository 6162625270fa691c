/** Decodes an `alerts` payload (telemetry.vehicle_alerts.VehicleAlerts). */
import type { VehicleAlert } from '../records.ts';
import { schemas } from './protobuf-schemas.ts';
import { type TimestampParts, timestampToMs } from './timestamps.ts';
import { decodeOrFail } from './wire-error.ts';

/** A decoded `alerts` payload; `vin` is the payload's claim. */
export interface VehicleAlerts {
  readonly vin: string;
  readonly createdAt: number | undefined;
  readonly alerts: readonly VehicleAlert[];
}

interface DecodedAlert {
  name?: string;
  audiences?: number[];
  started_at?: TimestampParts | null;
  ended_at?: TimestampParts | null;
}

const AUDIENCES = schemas.audience.valuesById;

/** An audience's Tesla name; `Audience_<n>` for a number this schema lacks. */
function audienceName(number: number): string {
  return AUDIENCES[number] ?? `Audience_${number}`;
}

/** Decodes an `alerts` payload; throws TELEMETRY_PAYLOAD_INVALID, and nothing else, on bad bytes. */
export function decodeAlerts(bytes: Uint8Array): VehicleAlerts {
  return decodeOrFail('TELEMETRY_PAYLOAD_INVALID', 'alerts payload', () => {
    const message = schemas.vehicleAlerts.decode(bytes) as unknown as {
      alerts?: DecodedAlert[];
      created_at?: TimestampParts | null;
      vin?: string;
    };
    return {
      vin: message.vin ?? '',
      createdAt: timestampToMs(message.created_at),
      alerts: (message.alerts ?? []).map((alert) => ({
        name: alert.name ?? '',
        audiences: (alert.audiences ?? []).map(audienceName),
        startedAt: timestampToMs(alert.started_at),
        endedAt: timestampToMs(alert.ended_at),
      })),
    };
  });
}
