import type { FieldValue, TelemetryRecord, VehicleAlert } from '../records.ts';

/** One vehicle as the feed knows it now: what a dashboard shows before live records arrive. */
export interface VehicleSnapshot {
  readonly vin: string;
  /** From the vehicle's latest `connectivity` record. */
  readonly status: 'CONNECTED' | 'DISCONNECTED';
  /** The latest value of every field received, by Tesla's field name. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** `createdAt` of the latest `V` record, ms since the epoch; unset before any. */
  readonly updatedAt?: number | undefined;
  /** Alerts still active (no `endedAt`), when the feed keeps them. */
  readonly activeAlerts?: readonly VehicleAlert[] | undefined;
}

/**
 * The live feed of decoded records the dashboard consumes; the receiver's hub implements it.
 * Listeners are called synchronously for every record and must never block or await.
 */
export interface TelemetryFeed {
  /** Calls `listener` with every record from now on; returns the way to stop. */
  subscribe(listener: (record: TelemetryRecord) => void): () => void;
  /** Every known vehicle's latest fields and connection state. */
  snapshot(): Promise<readonly VehicleSnapshot[]>;
}

/** A feed with no vehicles: what the dashboard shows on a node that runs no receiver. */
export const EMPTY_FEED: TelemetryFeed = {
  subscribe: () => () => {},
  snapshot: async () => [],
};
