import type { FieldValue, VehicleAlert, VehicleError } from '../records.ts';

/** Connection states of a vehicle; `UNKNOWN` until its first connectivity record. */
export type ConnectionStatus = 'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN';

/** What is known of one vehicle now: its connection and the latest value of every field it sent. */
export interface VehicleState {
  readonly vin: string;
  readonly status: ConnectionStatus;
  /** The connection the status belongs to. */
  readonly connectionId?: string | undefined;
  /**
   * The node whose receiver holds that connection: `CONNECTED` is read as such only while that
   * receiver's lease lives (see `receiver-leases.ts`).
   */
  readonly receiver?: string | undefined;
  /** `X-Network-Interface` of that connection (e.g. wifi). */
  readonly networkInterface?: string | undefined;
  /** `Version` header of that connection. */
  readonly deviceClientVersion?: string | undefined;
  /** When the status last changed, ms since the epoch. */
  readonly statusChangedAt?: number | undefined;
  /** When the receiver last got anything from the vehicle, ms since the epoch. */
  readonly lastSeenAt: number;
  /** Latest value of every field, by Tesla's field name. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** The vehicle's time (`createdAt`) of each field's latest value. */
  readonly fieldTimes: Readonly<Record<string, number>>;
  /** Alerts that are active (no `endedAt`), by the latest alerts record. */
  readonly alerts: readonly VehicleAlert[];
  /** The most recent errors, oldest first (bounded). */
  readonly errors: readonly VehicleError[];
}

/** One point of a vehicle's history: the fields that changed within one history interval. */
export interface HistorySample {
  /** The vehicle's time of the first value in the sample, ms since the epoch. */
  readonly at: number;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** A vehicle's bounded history, oldest first. */
export interface VehicleHistory {
  readonly vin: string;
  readonly samples: readonly HistorySample[];
}

/** Reads vehicle state: the store, overlaid with what this node holds in memory when it runs a receiver. */
export interface VehicleStateReader {
  /** Every known vehicle, by VIN. */
  list(): Promise<VehicleState[]>;
  get(vin: string): Promise<VehicleState | undefined>;
  history(vin: string): Promise<VehicleHistory | undefined>;
}
