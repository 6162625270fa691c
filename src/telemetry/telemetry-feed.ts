import type { TelemetryRecord } from './records.ts';
import type { VehicleState } from './state/vehicle-state.ts';

/** Receives each record as it is decoded; must not block (never await a socket inside). */
export type RecordListener = (record: TelemetryRecord) => void;

/**
 * The receiver's live feed, for dashboards: every record as it is decoded (connectivity records
 * included), and the state of every known vehicle to start from.
 */
export interface TelemetryFeed {
  /** Calls `listener` with each record from now on; returns the call that stops it. */
  subscribe(listener: RecordListener): () => void;
  /** Every known vehicle's state: connection and latest fields. */
  snapshot(): Promise<VehicleState[]>;
}
