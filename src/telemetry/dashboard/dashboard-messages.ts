import type { FieldValue, TelemetryRecord, VehicleAlert, VehicleError } from '../records.ts';
import type { ConnectionStatus, VehicleState } from '../state/vehicle-state.ts';

/** One alert as dashboards get it; `endedAt: null` while it is active. Times in ms since the epoch. */
export interface AlertMessage {
  readonly name: string;
  readonly audiences: readonly string[];
  readonly startedAt: number | null;
  readonly endedAt: number | null;
}

/** One vehicle error as dashboards get it. */
export interface ErrorMessage {
  readonly name: string;
  readonly createdAt: number | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A vehicle in the first message a dashboard gets. */
export interface SnapshotVehicle {
  readonly vin: string;
  /** `UNKNOWN` until the receiver saw the vehicle connect. */
  readonly status: ConnectionStatus;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** The vehicle's time of each field's latest value: a resent older value must not replace it. */
  readonly fieldTimes: Readonly<Record<string, number>>;
  /** When the receiver last heard from the vehicle. */
  readonly lastSeenAt: number;
  readonly activeAlerts: readonly AlertMessage[];
  /** Oldest first. */
  readonly recentErrors: readonly ErrorMessage[];
}

/** Every message the dashboard WebSocket sends, as JSON text: a snapshot first, then each record. */
export type DashboardMessage =
  | { readonly type: 'snapshot'; readonly vehicles: readonly SnapshotVehicle[] }
  | {
      readonly type: 'V';
      readonly vin: string;
      readonly createdAt: number;
      readonly fields: Readonly<Record<string, FieldValue>>;
    }
  | {
      readonly type: 'alerts';
      readonly vin: string;
      readonly createdAt: number;
      readonly alerts: AlertMessage[];
    }
  | {
      readonly type: 'errors';
      readonly vin: string;
      readonly createdAt: number;
      readonly errors: ErrorMessage[];
    }
  | {
      readonly type: 'connectivity';
      readonly vin: string;
      readonly createdAt: number;
      readonly status: 'CONNECTED' | 'DISCONNECTED';
      readonly connectionId: string;
      readonly networkInterface: string | null;
    };

/**
 * A record as dashboards get it: the vehicle's data and nothing of the transport (no txid, no
 * receive time). Fields are passed as decoded (numbers, Tesla's enum names, `null` for invalid).
 */
export function recordMessage(record: TelemetryRecord): DashboardMessage {
  const { vin, createdAt } = record;
  switch (record.type) {
    case 'V':
      return { type: 'V', vin, createdAt, fields: record.fields };
    case 'alerts':
      return {
        type: 'alerts',
        vin,
        createdAt,
        alerts: record.alerts.map(alertMessage),
      };
    case 'errors':
      return { type: 'errors', vin, createdAt, errors: record.errors.map(errorMessage) };
    case 'connectivity':
      return {
        type: 'connectivity',
        vin,
        createdAt,
        status: record.status,
        connectionId: record.connectionId,
        networkInterface: record.networkInterface ?? null,
      };
  }
}

/** The first message: every vehicle the client may see, as the receiver knows it now. */
export function snapshotMessage(vehicles: readonly VehicleState[]): DashboardMessage {
  return {
    type: 'snapshot',
    vehicles: vehicles.map((v) => ({
      vin: v.vin,
      status: v.status,
      fields: v.fields,
      fieldTimes: v.fieldTimes,
      lastSeenAt: v.lastSeenAt,
      activeAlerts: v.alerts.map(alertMessage),
      recentErrors: v.errors.map(errorMessage),
    })),
  };
}

function alertMessage(alert: VehicleAlert): AlertMessage {
  return {
    name: alert.name,
    audiences: alert.audiences,
    startedAt: alert.startedAt ?? null,
    endedAt: alert.endedAt ?? null,
  };
}

function errorMessage(error: VehicleError): ErrorMessage {
  return { name: error.name, createdAt: error.createdAt ?? null, tags: error.tags, body: error.body };
}
