import type { Logger } from '../core/logger.ts';
import type { TelemetryRecord } from './records.ts';
import type { VehicleState } from './state/vehicle-state.ts';
import type { VehicleStates } from './state/vehicle-states.ts';
import type { RecordListener, TelemetryFeed } from './telemetry-feed.ts';

/** Where every decoded record passes: into the vehicle state, then to each live listener. */
export class TelemetryHub implements TelemetryFeed {
  readonly #states: VehicleStates;
  readonly #logger: Logger;
  readonly #listeners = new Set<RecordListener>();

  constructor(states: VehicleStates, logger: Logger) {
    this.#states = states;
    this.#logger = logger;
  }

  /** The vehicle state this hub keeps. */
  get states(): VehicleStates {
    return this.#states;
  }

  subscribe(listener: RecordListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  snapshot(): Promise<VehicleState[]> {
    return this.#states.list();
  }

  /** Takes a record in: state first, so a listener reading the snapshot sees it. */
  publish(record: TelemetryRecord): void {
    this.#states.apply(record);
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        // A broken listener must not cost the vehicle its ack or the other listeners their record.
        this.#logger.warn({ err: error }, 'a telemetry listener failed');
      }
    }
  }
}
