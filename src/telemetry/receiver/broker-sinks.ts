import { ConfigError } from '../../core/config-error.ts';
import { type DurableSinkName, SINK_FACTORIES, SINK_SETTINGS } from '../sinks/sink-factories.ts';
import type { SinkFactory } from './sink-registry.ts';

/** Makes one broker sink from `telemetry.sinks.<name>`; without those settings the start stops, saying so. */
function brokerSink(name: DurableSinkName): SinkFactory {
  return (settings, deps) => {
    if (settings === undefined)
      throw new ConfigError(
        `invalid configuration: telemetry.sinks.${name}: is required, since telemetry.records names ${name}; give at least its ${name === 'nats' ? 'servers' : 'url'}`,
        { field: `telemetry.sinks.${name}` },
      );
    // Validated with the config already; parsing again gives the factory its exact type.
    const parsed = SINK_SETTINGS[name].parse(settings);
    return (SINK_FACTORIES[name] as (s: typeof parsed, d: typeof deps) => ReturnType<SinkFactory>)(
      parsed,
      deps,
    );
  };
}

/** The durable sinks by the names `telemetry.records` uses: `redis`, `nats`, `mqtt`. */
export const BROKER_SINKS: Readonly<Record<DurableSinkName, SinkFactory>> = {
  redis: brokerSink('redis'),
  nats: brokerSink('nats'),
  mqtt: brokerSink('mqtt'),
};
