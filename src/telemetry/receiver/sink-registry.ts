import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/config-error.ts';
import type { Logger } from '../../core/logger.ts';
import type { RecordSink, RecordType } from '../records.ts';
import type { VehicleStates } from '../state/vehicle-states.ts';
import type { ReceiverSettings } from './receiver-settings.ts';

/** What a sink may use: the log, the time, and (for the `store` sink) the vehicle state. */
export interface SinkDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly states: VehicleStates;
  /** The record types whose acks wait for this sink (`reliableAck`); empty for most sinks. */
  readonly reliableFor?: ReadonlySet<RecordType>;
}

/** Makes one sink from its settings (`telemetry.sinks.<name>` in the config file, or undefined). */
export type SinkFactory = (settings: unknown, deps: SinkDeps) => RecordSink;

/** The sinks each record type goes to, and the one whose confirmation its ack waits for. */
export interface SinkRoutes {
  readonly sinks: ReadonlyMap<string, RecordSink>;
  readonly byType: Readonly<Record<RecordType, readonly RecordSink[]>>;
  readonly reliable: Readonly<Partial<Record<RecordType, RecordSink>>>;
  /** Closes every sink. */
  close(): Promise<void>;
}

/**
 * Makes the sinks the config names, each once however many record types use it. A name without a
 * factory stops the start, naming the record type and the sinks there are.
 */
export function createSinkRoutes(
  config: ReceiverSettings,
  factories: Readonly<Record<string, SinkFactory>>,
  deps: SinkDeps,
): SinkRoutes {
  const sinks = new Map<string, RecordSink>();
  const made = (name: string, type: RecordType): RecordSink => {
    const existing = sinks.get(name);
    if (existing) return existing;
    const factory = factories[name];
    if (!factory)
      throw new ConfigError(
        `invalid configuration: telemetry.records.${type}: no sink named ${name}; there are ${Object.keys(factories).sort().join(', ')}`,
        { field: `telemetry.records.${type}` },
      );
    let sink: RecordSink;
    try {
      const reliableFor = new Set(
        (['V', 'alerts', 'errors'] as const).filter((t) => config.reliableAck[t] === name),
      );
      sink = factory(config.sinks[name], { ...deps, reliableFor });
    } catch (error) {
      for (const s of sinks.values()) s.close().catch(() => {});
      throw error;
    }
    sinks.set(name, sink);
    return sink;
  };
  const byType = {} as Record<RecordType, RecordSink[]>;
  for (const type of ['V', 'alerts', 'errors', 'connectivity'] as const)
    byType[type] = config.records[type].map((name) => made(name, type));
  const reliable: Partial<Record<RecordType, RecordSink>> = {};
  for (const type of ['V', 'alerts', 'errors'] as const) {
    const name = config.reliableAck[type];
    if (name !== undefined) reliable[type] = made(name, type);
  }
  return {
    sinks,
    byType,
    reliable,
    close: async () => {
      await Promise.allSettled([...sinks.values()].map((s) => s.close()));
    },
  };
}
