import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { manualClock } from '../src/core/clock.ts';
import { GatehouseError } from '../src/core/errors.ts';
import type { VehicleDataRecord } from '../src/telemetry/records.ts';
import { SINK_FACTORIES, SINK_SETTINGS } from '../src/telemetry/sinks/sink-factories.ts';
import { startMosquitto } from './helpers/mosquitto.ts';
import { capturingLogger, oneOfEach, SAMPLE_VIN, vehicleData } from './helpers/telemetry-records.ts';
import { waitFor } from './helpers/wait-for.ts';

const mosquitto = await startMosquitto();
/** Short, so an outage test is quick; long enough for a loaded machine to answer a live broker. */
const WRITE_TIMEOUT_MS = 1_000;
const T0 = 1_767_225_600_000;

function mqttSink(topicBase: string) {
  const log = capturingLogger();
  const settings = SINK_SETTINGS.mqtt.parse({
    url: mosquitto.url,
    topicBase,
    writeTimeoutMs: WRITE_TIMEOUT_MS,
  });
  const sink = SINK_FACTORIES.mqtt(settings, { logger: log.logger, clock: manualClock() });
  after(() => sink.close());
  return { sink, lines: log.lines };
}

interface Received {
  readonly topic: string;
  readonly body: unknown;
  readonly retain: boolean;
}

/** An independent subscriber to `filter` (QoS 1), keeping what arrives. */
async function subscriber(filter: string, options: { clientId?: string; clean?: boolean } = {}) {
  const client: MqttClient = await connectAsync(mosquitto.url, { reconnectPeriod: 100, ...options });
  client.on('error', () => {});
  after(() => client.endAsync(true));
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, body: JSON.parse(payload.toString()), retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, received };
}

const byTopic = (received: readonly Received[]) =>
  new Map(received.map((message) => [message.topic, message.body]));

test('records are published in Tesla topic layout: one message per field, alerts current (retained) and history, errors, connectivity', async () => {
  const { received } = await subscriber('telemetry/#');
  const { sink, lines } = mqttSink('telemetry');
  for (const record of oneOfEach()) await sink.write(record);

  const base = `telemetry/${SAMPLE_VIN}`;
  const alert = 'BMS_w035_SW_Dc_Link_V_Sense';
  const expected = new Map<string, unknown>([
    [`${base}/v/VehicleSpeed`, { value: 61.5 }],
    [`${base}/v/Location`, { value: { latitude: 37.4925, longitude: -121.9447 } }],
    [`${base}/v/Gear`, { value: 'ShiftStateD' }],
    [`${base}/v/InsideTemp`, { value: null }],
    [
      `${base}/alerts/${alert}/current`,
      { Name: alert, StartedAt: new Date(T0 - 10_000).toISOString(), Audiences: ['Service'] },
    ],
    [
      `${base}/alerts/${alert}/history`,
      [
        {
          Name: alert,
          StartedAt: new Date(T0 - 60_000).toISOString(),
          EndedAt: new Date(T0 - 30_000).toISOString(),
          Audiences: ['Service'],
        },
        { Name: alert, StartedAt: new Date(T0 - 10_000).toISOString(), Audiences: ['Service'] },
      ],
    ],
    [
      `${base}/alerts/APP_w222_tirePressureLow/current`,
      {
        Name: 'APP_w222_tirePressureLow',
        StartedAt: new Date(T0 - 5_000).toISOString(),
        Audiences: ['Customer', 'Service'],
      },
    ],
    [
      `${base}/alerts/APP_w222_tirePressureLow/history`,
      [
        {
          Name: 'APP_w222_tirePressureLow',
          StartedAt: new Date(T0 - 5_000).toISOString(),
          Audiences: ['Customer', 'Service'],
        },
      ],
    ],
    [
      `${base}/errors/stream_config`,
      {
        Name: 'stream_config',
        Body: 'unknown field',
        Tags: { field: 'Field_250' },
        CreatedAt: new Date(T0).toISOString(),
      },
    ],
    [
      `${base}/connectivity`,
      {
        ConnectionId: 'conn-1',
        Status: 'CONNECTED',
        CreatedAt: new Date(T0).toISOString(),
        NetworkInterface: 'wifi',
      },
    ],
  ]);
  await waitFor('every message at the subscriber', () => received.length >= expected.size);
  assert.deepEqual(byTopic(received), expected);
  assert.equal(received.length, expected.size);
  assert.ok(!lines.join('').includes('ShiftStateD'), 'record contents are never logged');

  // A subscriber arriving later sees the alerts' current state at once, and only that.
  const late = await subscriber('telemetry/#');
  await waitFor('the retained messages', () => late.received.length >= 2);
  assert.deepEqual(
    late.received.map((message) => message.topic).sort(),
    [`${base}/alerts/${alert}/current`, `${base}/alerts/APP_w222_tirePressureLow/current`].sort(),
  );
  assert.ok(late.received.every((message) => message.retain));
});

test('while mosquitto is stopped a write rejects in time; once it is back writes succeed and nothing acked is lost', async () => {
  const reader = await subscriber('outage/#', { clientId: 'outage-reader', clean: false });
  const { sink, lines } = mqttSink('outage');
  const odometer = (txid: string, miles: number): VehicleDataRecord => ({
    ...vehicleData(txid),
    fields: { Odometer: miles },
  });
  const acked: number[] = [];
  for (const miles of [1, 2]) {
    await sink.write(odometer(`before-${miles}`, miles));
    acked.push(miles);
  }
  await waitFor('the messages from before the outage', () => reader.received.length >= 2);

  await mosquitto.stop();
  const started = performance.now();
  await assert.rejects(sink.write(odometer('during', 99)), (error: unknown) => {
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'FLEET_SINK_UNAVAILABLE');
    assert.match(error.message, /mqtt sink could not store the record/);
    return true;
  });
  const waited = performance.now() - started;
  assert.ok(waited < WRITE_TIMEOUT_MS + 1_000, `rejected after ${Math.round(waited)} ms`);

  await mosquitto.start();
  for (let attempt = 0; ; attempt++) {
    try {
      await sink.write(odometer('after-3', 3));
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
  acked.push(3);
  await sink.write(odometer('after-4', 4));
  acked.push(4);

  // A write refused during the outage may still arrive later (the vehicle resends it anyway); every
  // acknowledged one must arrive.
  const miles = () =>
    reader.received
      .map((message) => (message.body as { value: number }).value)
      .filter((value) => value !== 99);
  await waitFor('every acknowledged message at the subscriber', () =>
    acked.every((m) => miles().includes(m)),
  );
  assert.deepEqual(
    [...new Set(miles())].sort((a, b) => a - b),
    acked,
  );
  assert.ok(lines.some((line) => line.includes('telemetry sink cannot reach its broker')));
  assert.ok(lines.some((line) => line.includes('telemetry sink reconnected')));
});
