import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { ResolveMap } from '../fleet/hosted-key.ts';
import type { VehicleCa } from './vehicle-ca.ts';
import type { World } from './world.ts';

/**
 * The seam through which configured vehicles stream telemetry. The simulator owns the world and
 * the vehicles' CA; the streaming itself (the wire format, sockets, timers) belongs to the
 * telemetry area, which depends on the simulator and not the other way round. Whoever starts a
 * simulator that should stream passes a {@link VehicleStreamsFactory} (`gatehouse fleet simulate`
 * does).
 */

/** What the streams get from the simulator. */
export interface VehicleStreamsDeps {
  readonly world: World;
  readonly ca: VehicleCa;
  readonly clock: Clock;
  /** Where telemetry host names really are (tests, local domains). */
  readonly resolve?: ResolveMap | undefined;
  readonly logger?: Logger | undefined;
}

/** Running telemetry streams of the world's vehicles. */
export interface VehicleStreams {
  /** The state of each of a vehicle's streams (one per application's configuration), as JSON. */
  streamsOf(vin: string): Record<string, unknown>[];
  /** Closes every connection and timer. */
  stop(): Promise<void>;
}

/** Makes the streams of a simulator once it runs. */
export type VehicleStreamsFactory = (deps: VehicleStreamsDeps) => VehicleStreams;
