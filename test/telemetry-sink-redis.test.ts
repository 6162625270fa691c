import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { manualClock } from '../src/core/clock.ts';
import { GatehouseError } from '../src/core/errors.ts';
import { SINK_FACTORIES, SINK_SETTINGS } from '../src/telemetry/sinks/sink-factories.ts';
import { startDurableRedis } from './helpers/durable-redis.ts';
import { capturingLogger, oneOfEach, SAMPLE_VIN, vehicleData } from './helpers/telemetry-records.ts';

const redisServer = await startDurableRedis();
const reader = new Redis(redisServer.url, { lazyConnect: true, disconnectTimeout: 50 });
reader.on('error', () => {});
after(() => reader.disconnect());

/** Short, so an outage test is quick; long enough for a loaded machine to answer a live broker. */
const WRITE_TIMEOUT_MS = 1_000;

function redisSink(namespace: string, extra: Record<string, unknown> = {}) {
  const log = capturingLogger();
  const settings = SINK_SETTINGS.redis.parse({
    url: redisServer.url,
    namespace,
    writeTimeoutMs: WRITE_TIMEOUT_MS,
    ...extra,
  });
  const sink = SINK_FACTORIES.redis(settings, { logger: log.logger, clock: manualClock() });
  after(() => sink.close());
  return { sink, lines: log.lines };
}

async function entries(key: string): Promise<Map<string, string>[]> {
  const rows = (await reader.xrange(key, '-', '+')) as [string, string[]][];
  return rows.map(([, flat]) => {
    const fields = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
    return fields;
  });
}

test('each record type lands in its own stream, <namespace>_<type>, with Tesla metadata and the record', async () => {
  const { sink, lines } = redisSink('tesla');
  for (const record of oneOfEach()) await sink.write(record);

  for (const type of ['V', 'alerts', 'errors', 'connectivity']) {
    const [entry, ...more] = await entries(`tesla_${type}`);
    assert.equal(more.length, 0, `one entry in tesla_${type}`);
    assert.ok(entry);
    assert.equal(entry.get('vin'), SAMPLE_VIN);
    assert.equal(entry.get('txtype'), type);
    assert.equal(entry.get('version'), '1.0.2');
    assert.equal(entry.get('timestamp'), '1767225600000');
    assert.equal(entry.get('receivedat'), '1767225600040');
    assert.equal(JSON.parse(entry.get('record') ?? '').type, type);
  }
  const [data] = await entries('tesla_V');
  assert.deepEqual(JSON.parse(data?.get('record') ?? '').fields, vehicleData().fields);
  assert.equal(data?.get('txid'), 'a1');
  assert.ok(!lines.join('').includes('ShiftStateD'), 'record contents are never logged');
});

test('maxLen trims each stream to about that many entries', async () => {
  const { sink } = redisSink('trimmed', { maxLen: 10 });
  for (let i = 0; i < 100; i++) await sink.write(vehicleData(`t${i}`));
  const length = await reader.xlen('trimmed_V');
  assert.ok(length < 100 && length >= 10, `trimmed to about 10, got ${length}`);
});

test('reliable ack: while Redis is stopped a write rejects in time; once it is back writes succeed and nothing acked is lost', async () => {
  const { sink, lines } = redisSink('outage');
  const acked: string[] = [];
  for (const txid of ['before-1', 'before-2']) {
    await sink.write(vehicleData(txid));
    acked.push(txid);
  }

  await redisServer.stop();
  const started = performance.now();
  await assert.rejects(sink.write(vehicleData('during')), (error: unknown) => {
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'FLEET_SINK_UNAVAILABLE');
    assert.match(error.message, /redis sink could not store the record: Redis is not reachable/);
    return true;
  });
  const waited = performance.now() - started;
  assert.ok(waited < WRITE_TIMEOUT_MS + 1_000, `rejected after ${Math.round(waited)} ms`);

  await redisServer.start();
  // The client reconnects by itself; the first write after the restart may wait for it.
  await writeOnceReconnected(sink, 'after-1');
  acked.push('after-1');
  await sink.write(vehicleData('after-2'));
  acked.push('after-2');

  const stored = (await entries('outage_V')).map((entry) => entry.get('txid'));
  assert.deepEqual(
    stored,
    acked,
    'every acknowledged record survived the restart, and the refused one is absent',
  );
  assert.ok(lines.some((line) => line.includes('telemetry sink cannot reach its broker')));
  assert.ok(lines.some((line) => line.includes('telemetry sink reconnected')));
});

/** Writes until one succeeds: a write may still fall in the moment before the client reconnects. */
async function writeOnceReconnected(
  sink: { write(record: ReturnType<typeof vehicleData>): Promise<void> },
  txid: string,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sink.write(vehicleData(txid));
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}
