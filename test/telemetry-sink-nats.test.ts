import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AckPolicy, connect, type JsMsg } from 'nats';
import { manualClock } from '../src/core/clock.ts';
import { GatehouseError } from '../src/core/errors.ts';
import type { TelemetryRecord } from '../src/telemetry/records.ts';
import { SINK_FACTORIES, SINK_SETTINGS } from '../src/telemetry/sinks/sink-factories.ts';
import { startBroker } from './helpers/broker-process.ts';
import { startNats } from './helpers/nats.ts';
import { capturingLogger, oneOfEach, SAMPLE_VIN, vehicleData } from './helpers/telemetry-records.ts';

const nats = await startNats();
/** Short, so an outage test is quick; long enough for a loaded machine to answer a live broker. */
const WRITE_TIMEOUT_MS = 1_000;

function natsSink(url: string, stream: string, subjectPrefix: string) {
  const log = capturingLogger();
  const settings = SINK_SETTINGS.nats.parse({
    servers: url,
    stream,
    subjectPrefix,
    writeTimeoutMs: WRITE_TIMEOUT_MS,
  });
  const sink = SINK_FACTORIES.nats(settings, { logger: log.logger, clock: manualClock() });
  after(() => sink.close());
  return { sink, lines: log.lines };
}

/** Everything in `stream`, read by a consumer of its own on a connection of its own. */
async function readStream(stream: string): Promise<JsMsg[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get(stream, 'reader');
    const messages: JsMsg[] = [];
    for await (const message of await consumer.fetch({ max_messages: state.messages, expires: 2_000 })) {
      messages.push(message);
      if (messages.length === state.messages) break;
    }
    await jsm.consumers.delete(stream, 'reader');
    return messages;
  } finally {
    await nc.close();
  }
}

test('the stream is made on start and each record is stored at <prefix>.<type>.<vin>, JSON with Tesla metadata headers', async () => {
  const { sink, lines } = natsSink(nats.url, 'TESLA', 'tesla');
  const records = oneOfEach();
  for (const record of records) await sink.write(record);

  const messages = await readStream('TESLA');
  assert.deepEqual(
    messages.map((message) => message.subject),
    ['V', 'alerts', 'errors', 'connectivity'].map((type) => `tesla.${type}.${SAMPLE_VIN}`),
  );
  for (const [index, message] of messages.entries()) {
    const record = records[index] as TelemetryRecord;
    assert.deepEqual(message.json(), JSON.parse(JSON.stringify(record)));
    assert.equal(message.headers?.get('vin'), SAMPLE_VIN);
    assert.equal(message.headers?.get('txtype'), record.type);
    assert.equal(message.headers?.get('txid'), record.txid);
  }
  assert.ok(lines.some((line) => line.includes('JetStream stream created')));
  assert.ok(!lines.join('').includes('ShiftStateD'), 'record contents are never logged');
});

test('a record the vehicle resends (same txid) is stored once', async () => {
  const { sink } = natsSink(nats.url, 'RESENDS', 'resends');
  await sink.write(vehicleData('same'));
  await sink.write(vehicleData('same'));
  await sink.write(vehicleData('other'));
  const txids = (await readStream('RESENDS')).map((message) => message.headers?.get('txid'));
  assert.deepEqual(txids, ['same', 'other']);
});

test('while NATS is stopped a write rejects in time; once it is back writes succeed and nothing acked is lost', async () => {
  const { sink, lines } = natsSink(nats.url, 'OUTAGE', 'outage');
  const acked: string[] = [];
  for (const txid of ['before-1', 'before-2']) {
    await sink.write(vehicleData(txid));
    acked.push(txid);
  }

  await nats.stop();
  const started = performance.now();
  await assert.rejects(sink.write(vehicleData('during')), (error: unknown) => {
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'FLEET_SINK_UNAVAILABLE');
    assert.match(error.message, /nats sink could not store the record/);
    return true;
  });
  const waited = performance.now() - started;
  assert.ok(waited < WRITE_TIMEOUT_MS + 1_000, `rejected after ${Math.round(waited)} ms`);

  await nats.start();
  await writeOnceReconnected(sink, 'after-1');
  acked.push('after-1');
  await sink.write(vehicleData('after-2'));
  acked.push('after-2');

  // A write refused during the outage may still have reached the stream: the vehicle resends it, so
  // it is allowed, but every acknowledged one must be there, once, in order.
  const stored = (await readStream('OUTAGE')).map((message) => message.headers?.get('txid') ?? '');
  assert.deepEqual(
    stored.filter((txid) => txid !== 'during'),
    acked,
  );
  assert.ok(lines.some((line) => line.includes('telemetry sink cannot reach its broker')));
  assert.ok(lines.some((line) => line.includes('telemetry sink reconnected')));
});

test('a NATS server without JetStream: writes reject saying how to enable it', async () => {
  const plain = await startBroker({
    command: 'nats-server',
    scheme: 'nats',
    args: (port) => ['-a', '127.0.0.1', '-p', String(port)],
    readyLine: /Server is ready/,
  });
  const { sink } = natsSink(plain.url, 'NOJS', 'nojs');
  await assert.rejects(sink.write(vehicleData()), /start nats-server with -js/);
});

/** Writes until one succeeds: a write may still fall in the moment before the client reconnects. */
async function writeOnceReconnected(sink: { write(record: TelemetryRecord): Promise<void> }, txid: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sink.write(vehicleData(txid));
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}
