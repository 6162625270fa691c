import type { TelemetryFeed, VehicleSnapshot } from '../../src/telemetry/dashboard/feed.ts';
import type {
  AlertsRecord,
  ConnectivityRecord,
  ErrorsRecord,
  FieldValue,
  TelemetryRecord,
  VehicleAlert,
  VehicleDataRecord,
} from '../../src/telemetry/records.ts';

/** A feed the test pushes records into, keeping each vehicle's latest state as a receiver would. */
export class TestFeed implements TelemetryFeed {
  readonly #listeners = new Set<(record: TelemetryRecord) => void>();
  readonly #vehicles = new Map<string, VehicleSnapshot>();

  /** How many listeners are subscribed now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  subscribe(listener: (record: TelemetryRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async snapshot(): Promise<readonly VehicleSnapshot[]> {
    return [...this.#vehicles.values()];
  }

  /** Keeps the record in the vehicle's state and hands it to every listener, synchronously. */
  push(record: TelemetryRecord): void {
    const known = this.#vehicles.get(record.vin) ?? { vin: record.vin, status: 'DISCONNECTED', fields: {} };
    if (record.type === 'V')
      this.#vehicles.set(record.vin, {
        ...known,
        fields: { ...known.fields, ...record.fields },
        updatedAt: record.createdAt,
      });
    else if (record.type === 'connectivity')
      this.#vehicles.set(record.vin, { ...known, status: record.status });
    else if (record.type === 'alerts')
      this.#vehicles.set(record.vin, { ...known, activeAlerts: record.alerts.filter((a) => !a.endedAt) });
    else this.#vehicles.set(record.vin, known);
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
