import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import { holdReceiverLease } from '../state/receiver-leases.ts';
import { VehicleStates } from '../state/vehicle-states.ts';
import { TelemetryHub } from '../telemetry-hub.ts';
import { BROKER_SINKS } from './broker-sinks.ts';
import { BUILTIN_SINKS } from './builtin-sinks.ts';
import { SinkFailures } from './dispatch-record.ts';
import type { FrameReader } from './frame-outcome.ts';
import type { ReceiverSettings } from './receiver-settings.ts';
import { createSinkRoutes, type SinkFactory } from './sink-registry.ts';
import { readTelemetryTls, startTelemetryListener } from './telemetry-listener.ts';

/** Options of {@link startTelemetryReceiver}. */
export interface TelemetryReceiverOptions {
  readonly config: ReceiverSettings;
  readonly ephemeral: EphemeralRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sinks beside `store`, `logger`, `redis`, `nats` and `mqtt` (a test's), by the name `records` uses. */
  readonly sinkFactories?: Readonly<Record<string, SinkFactory>> | undefined;
  readonly readFrame: FrameReader;
}

/** A running receiver: its port, the live feed, the vehicle state. */
export interface TelemetryReceiver {
  readonly port: number;
  /** Serves this certificate to vehicles from the next handshake on (`telemetry.cert: auto`). */
  setCertificate(pem: { cert: Buffer; key: Buffer }): void;
  readonly hub: TelemetryHub;
  readonly states: VehicleStates;
  /** Closes the vehicles' connections, writes the pending state, then closes the sinks. */
  stop(): Promise<void>;
}

/** Starts the Fleet Telemetry receiver; a missing file or unknown sink stops the start, named. */
export async function startTelemetryReceiver(options: TelemetryReceiverOptions): Promise<TelemetryReceiver> {
  const { config, clock } = options;
  const logger = options.logger.child({ component: 'telemetry' });
  const tls = readTelemetryTls(config);
  // Which node's receiver holds a vehicle's connection: a new one each start, since a restarted
  // process holds none of the connections its predecessor did.
  const node = randomUUID();
  const states = new VehicleStates(
    options.ephemeral,
    {
      historyPerVin: config.history.perVin,
      historyIntervalMs: config.history.intervalSeconds * 1000,
      errorsKept: config.history.errorsPerVin,
      retentionMs: config.history.retentionDays * 86_400_000,
      flushMs: config.flushMs,
    },
    logger,
    node,
  );
  const hub = new TelemetryHub(states, logger);
  const routes = createSinkRoutes(
    config,
    { ...BUILTIN_SINKS, ...BROKER_SINKS, ...options.sinkFactories },
    { logger, clock, states },
  );
  // Held before any vehicle connects, so no CONNECTED is ever written without a live lease.
  const lease = await holdReceiverLease(options.ephemeral, node, { clock, logger });
  let listener: Awaited<ReturnType<typeof startTelemetryListener>>;
  try {
    listener = await startTelemetryListener(config, tls, {
      hub,
      routes,
      failures: new SinkFailures(logger),
      readFrame: options.readFrame,
      clock,
      logger,
      rateLimit: config.rateLimit && {
        messages: config.rateLimit.messages,
        intervalMs: config.rateLimit.intervalSeconds * 1000,
      },
      maxInFlight: config.maxInFlight,
    });
  } catch (error) {
    await lease.stop();
    await routes.close();
    throw error;
  }
  return {
    port: listener.port,
    setCertificate: listener.setCertificate,
    hub,
    states,
    stop: async () => {
      await listener.close();
      await states.stop();
      // After the DISCONNECTED records are written: readers elsewhere see them, not a lapse.
      await lease.stop();
      await routes.close();
    },
  };
}
