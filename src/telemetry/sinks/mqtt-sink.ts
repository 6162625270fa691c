import { randomBytes } from 'node:crypto';
import { connect } from 'mqtt';
import type { RecordSink } from '../records.ts';
import { brokerStateLog } from './broker-state-log.ts';
import { mqttMessages } from './mqtt-messages.ts';
import type { SinkDeps } from './sink-deps.ts';
import type { MqttSinkSettings } from './sink-settings.ts';
import { sinkUnavailable, untilReady, withWriteDeadline } from './write-deadline.ts';

/**
 * MQTT in Tesla's topic layout: `write` resolves once the broker acknowledged every message the
 * record became (PUBACK for QoS 1, PUBCOMP for QoS 2); if any is not, the whole record is not acked,
 * as Tesla's own dispatcher does. A write waits for the connection up to its deadline rather than
 * queueing messages while the broker is away.
 */
export function createMqttSink(settings: MqttSinkSettings, deps: SinkDeps): RecordSink {
  let closed = false;
  const state = brokerStateLog('mqtt', deps.logger, deps.clock);
  const client = connect(settings.url, {
    clientId: settings.clientId ?? `gatehouse-telemetry-${randomBytes(6).toString('hex')}`,
    clean: true,
    reconnectPeriod: 250,
    connectTimeout: Math.max(settings.writeTimeoutMs, 1_000),
    keepalive: 30,
    resubscribe: false,
  });
  // An unheard 'error' event would throw; the state log reports it once instead.
  client.on('error', (error) => state.down(error));
  client.on('close', () => {
    if (!closed) state.down();
  });
  client.on('connect', () => state.up());

  const stall = () =>
    client.connected
      ? 'the MQTT broker did not acknowledge the messages'
      : 'the MQTT broker is not reachable';

  return {
    name: 'mqtt',
    async write(record) {
      if (closed) throw sinkUnavailable('mqtt', 'the sink is closed');
      const messages = mqttMessages(record, settings.topicBase, settings.retained);
      if (messages.length === 0) return;
      await withWriteDeadline('mqtt', settings.writeTimeoutMs, stall, async ({ signal }) => {
        await untilReady(client, 'connect', () => client.connected, signal);
        await Promise.all(
          messages.map((message) =>
            client.publishAsync(message.topic, message.payload, {
              qos: settings.qos,
              retain: message.retain,
            }),
          ),
        );
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Waiting for in-flight messages makes sense only while the broker can still answer them.
      await client.endAsync(!client.connected).catch(() => {});
    },
  };
}
