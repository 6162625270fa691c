import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { BROKER_SINKS } from '../src/telemetry/receiver/broker-sinks.ts';
import { decodeEnvelope } from '../src/telemetry/wire/index.ts';
import { startDurableRedis } from './helpers/durable-redis.ts';
import { startTestGateway } from './helpers/gateway.ts';
import {
  connectVehicle,
  telemetryConfigFile,
  telemetryPki,
  vehicleDataFrame,
} from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const dir = tempDir('gatehouse-telemetry-redis-');
const pki = telemetryPki(dir);
const redis = await startDurableRedis();
after(() => redis.stop());

test('reliable ack to Redis: withheld while Redis is stopped, sent for the resend once it is back, nothing lost', async (t) => {
  // The real Redis sink, watched: how many of its writes were refused.
  let refused = 0;
  const config = telemetryConfigFile(
    dir,
    [
      'telemetry:',
      '  port: 0',
      '  host: 127.0.0.1',
      `  cert: ${pki.server.cert}`,
      `  key: ${pki.server.key}`,
      `  ca: ${pki.ca}`,
      '  records: { V: [store, redis] }',
      '  reliableAck: { V: redis }',
      `  sinks: { redis: { url: "${redis.url}", namespace: e2e, writeTimeoutMs: 300 } }`,
      '',
    ].join('\n'),
  );
  const gh = await startTestGateway({
    flags: { config },
    telemetrySinks: {
      redis: (settings, deps) => {
        const sink = BROKER_SINKS.redis(settings, deps);
        return {
          name: sink.name,
          write: (record) =>
            sink.write(record).catch((error: unknown) => {
              refused++;
              throw error;
            }),
          close: () => sink.close(),
        };
      },
    },
  });
  t.after(() => gh.stop());
  const reader = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  t.after(() => reader.disconnect());
  const vin = '5YJ3E7EB0KF000401';
  const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
  const acks: string[] = [];
  car.ws.on('message', (data) => acks.push(Buffer.from(decodeEnvelope(data as Buffer).txid).toString()));
  const send = (txid: string) => car.ws.send(vehicleDataFrame({ txid, vin, fields: { Soc: 50 } }));

  send('tx-a');
  await waitFor('the ack of tx-a', () => acks.includes('tx-a'));

  await redis.stop();
  send('tx-b');
  await waitFor('the refused write', () => refused > 0);
  assert.deepEqual(acks, ['tx-a'], 'no ack while Redis is down');

  await redis.start();
  // As a vehicle does: send what was not acked again until it is.
  for (;;) {
    const before = refused;
    send('tx-b');
    await waitFor('an ack or a refusal', () => acks.includes('tx-b') || refused > before);
    if (acks.includes('tx-b')) break;
  }
  assert.deepEqual(acks, ['tx-a', 'tx-b']);

  await reader.connect();
  const stored = (await reader.xrange('e2e_V', '-', '+')).map(
    ([, fields]) => fields[fields.indexOf('txid') + 1],
  );
  const hex = (text: string) => Buffer.from(text).toString('hex');
  for (const txid of ['tx-a', 'tx-b']) assert.ok(stored.includes(hex(txid)), `${txid} is in the stream`);
  await car.close();
});
