import type {
  AlertsRecord,
  ConnectivityRecord,
  ErrorsRecord,
  FieldValue,
  TelemetryRecord,
  VehicleAlert,
  VehicleDataRecord,
} from '../../src/telemetry/records.ts';
import { applyRecord, emptyState } from '../../src/telemetry/state/apply-record.ts';
import type { VehicleState } from '../../src/telemetry/state/vehicle-state.ts';
import type { TelemetryFeed } from '../../src/telemetry/telemetry-feed.ts';

/** A feed the test pushes records into, keeping each vehicle's state by the receiver's own rules. */
export class TestFeed implements TelemetryFeed {
  readonly #listeners = new Set<(record: TelemetryRecord) => void>();
  readonly #vehicles = new Map<string, VehicleState>();

  /** How many listeners are subscribed now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  subscribe(listener: (record: TelemetryRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async snapshot(): Promise<VehicleState[]> {
    return [...this.#vehicles.values()];
  }

  /** Applies the record to the vehicle's state and hands it to every listener, synchronously. */
  push(record: TelemetryRecord): void {
    const known = this.#vehicles.get(record.vin) ?? emptyState(record.vin, record.receivedAt);
    this.#vehicles.set(
      record.vin,
      applyRecord(known, record, { historyPerVin: 10, historyIntervalMs: 1000, errorsKept: 20 }),
    );
    for (const listener of this.#listeners) listener(record);
  }
}

const meta = (vin: string, createdAt: number) => ({
  vin,
  createdAt,
  receivedAt: createdAt + 40,
  txid: 'a1b2c3d4',
  deviceClientVersion: '1.0.0',
});

/** A `V` record. */
export function vehicleData(
  vin: string,
  createdAt: number,
  fields: Record<string, FieldValue>,
): VehicleDataRecord {
  return { ...meta(vin, createdAt), type: 'V', fields, isResend: false };
}

/** A `connectivity` record. */
export function connectivity(
  vin: string,
  createdAt: number,
  status: 'CONNECTED' | 'DISCONNECTED',
): ConnectivityRecord {
  return {
    ...meta(vin, createdAt),
    type: 'connectivity',
    status,
    connectionId: `conn-${vin}`,
    networkInterface: 'wifi',
  };
}

/** An `alerts` record. */
export function alerts(vin: string, createdAt: number, list: VehicleAlert[]): AlertsRecord {
  return { ...meta(vin, createdAt), type: 'alerts', alerts: list };
}

/** An `errors` record with one error. */
export function errors(vin: string, createdAt: number, name: string, body: string): ErrorsRecord {
  return {
    ...meta(vin, createdAt),
    type: 'errors',
    errors: [{ name, createdAt, tags: { source: 'test' }, body }],
  };
}
