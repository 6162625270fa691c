import type { RecordSink } from '../records.ts';
import { lazySink } from './lazy-sink.ts';
import { createRedisSink } from './redis-sink.ts';
import type { SinkDeps } from './sink-deps.ts';
import {
  type MqttSinkSettings,
  mqttSinkSettings,
  type NatsSinkSettings,
  natsSinkSettings,
  type RedisSinkSettings,
  redisSinkSettings,
  SINK_SETTINGS,
} from './sink-settings.ts';

/** The durable sinks by name; the `store` and `logger` sinks are the receiver's own. */
export type DurableSinkName = keyof typeof SINK_SETTINGS;

/** Each durable sink's validated settings, by name. */
export interface DurableSinkSettings {
  readonly redis: RedisSinkSettings;
  readonly nats: NatsSinkSettings;
  readonly mqtt: MqttSinkSettings;
}

/**
 * Makes each durable sink from its validated settings (parse them with {@link SINK_SETTINGS}).
 * A sink connects in the background and reconnects by itself; its `write` resolves once the
 * broker confirmed the record and rejects with `FLEET_SINK_UNAVAILABLE` within `writeTimeoutMs`.
 */
export const SINK_FACTORIES: {
  readonly [Name in DurableSinkName]: (settings: DurableSinkSettings[Name], deps: SinkDeps) => RecordSink;
} = {
  redis: createRedisSink,
  // The NATS and MQTT clients load only when a sink names them.
  nats: (settings, deps) =>
    lazySink('nats', async () => (await import('./nats-sink.ts')).createNatsSink(settings, deps)),
  mqtt: (settings, deps) =>
    lazySink('mqtt', async () => (await import('./mqtt-sink.ts')).createMqttSink(settings, deps)),
};

export type { MqttSinkSettings, NatsSinkSettings, RedisSinkSettings, SinkDeps };
export { mqttSinkSettings, natsSinkSettings, redisSinkSettings, SINK_SETTINGS };
