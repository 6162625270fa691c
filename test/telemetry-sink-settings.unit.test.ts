import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mqttMessages } from '../src/telemetry/sinks/mqtt-messages.ts';
import { natsSubject } from '../src/telemetry/sinks/nats-sink.ts';
import { redisEntryArgs, redisStreamKey } from '../src/telemetry/sinks/redis-sink.ts';
import { SINK_SETTINGS } from '../src/telemetry/sinks/sink-settings.ts';
import { alerts, vehicleData } from './helpers/telemetry-records.ts';

const problems = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) =>
  result.success
    ? []
    : (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

test('the settings fill in defaults', () => {
  assert.deepEqual(SINK_SETTINGS.redis.parse({ url: 'redis://127.0.0.1:6379' }), {
    url: 'redis://127.0.0.1:6379',
    namespace: 'tesla',
    writeTimeoutMs: 5_000,
  });
  assert.deepEqual(SINK_SETTINGS.nats.parse({ servers: 'nats://a:4222, nats://b:4222' }), {
    servers: ['nats://a:4222', 'nats://b:4222'],
    stream: 'TESLA_TELEMETRY',
    subjectPrefix: 'tesla',
    writeTimeoutMs: 5_000,
  });
  assert.deepEqual(SINK_SETTINGS.mqtt.parse({ url: 'mqtt://127.0.0.1:1883' }), {
    url: 'mqtt://127.0.0.1:1883',
    topicBase: 'telemetry',
    qos: 1,
    retained: false,
    writeTimeoutMs: 5_000,
  });
});

test('bad settings are refused, each naming the key and what to write instead', () => {
  const cases: [keyof typeof SINK_SETTINGS, unknown, RegExp][] = [
    [
      'redis',
      { url: 'http://127.0.0.1:6379' },
      /^url: must be a redis:\/\/ or rediss:\/\/ URL, such as redis:/,
    ],
    ['redis', { url: 'redis://x', namespace: 'has space' }, /^namespace: must be 1 to 64 letters/],
    ['redis', { url: 'redis://x', maxLen: 0 }, /^maxLen: must be a positive number/],
    ['redis', { url: 'redis://x', writeTimeoutMs: 120_000 }, /^writeTimeoutMs: must be at most 60000 ms/],
    ['redis', { url: 'redis://x', stream: 'typo' }, /stream/],
    ['nats', { servers: [] }, /^servers: must name at least one NATS server/],
    ['nats', { servers: 'x', stream: 'a.b' }, /^stream: must be a JetStream stream name/],
    ['nats', { servers: 'x', subjectPrefix: 'tesla.>' }, /^subjectPrefix: must be NATS subject tokens/],
    ['mqtt', { url: 'mqtt://x', qos: 0 }, /^qos: must be 1 or 2: with QoS 0 the broker never confirms/],
    [
      'mqtt',
      { url: 'mqtt://x', topicBase: 'tele/#' },
      /^topicBase: must be MQTT topic levels without \+ or #/,
    ],
    ['mqtt', { url: 'tcp://x' }, /^url: must be a mqtt:\/\/ or mqtts:\/\/ or ws:\/\/ or wss:\/\/ URL/],
  ];
  for (const [sink, input, expected] of cases) {
    const found = problems(SINK_SETTINGS[sink].safeParse(input));
    assert.ok(
      found.some((problem) => expected.test(problem)),
      `${sink} ${JSON.stringify(input)}: ${found.join('; ')}`,
    );
  }
});

test('names from the vehicle cannot add topic levels, wildcards or subject tokens', () => {
  const record = {
    ...alerts(),
    vin: 'VIN/+#',
    alerts: [{ name: 'a/b+c#d', audiences: [], startedAt: 1, endedAt: undefined }],
  };
  assert.deepEqual(
    mqttMessages(record, 'telemetry', false).map((message) => message.topic),
    ['telemetry/VIN___/alerts/a_b_c_d/current', 'telemetry/VIN___/alerts/a_b_c_d/history'],
  );
  assert.equal(natsSubject('tesla', { ...vehicleData(), vin: 'a.b*>' }), 'tesla.V.a_b__');
});

test('the Redis stream and entry: <namespace>_<type>, MAXLEN ~ when set, metadata then the record', () => {
  const record = vehicleData();
  assert.equal(redisStreamKey('tesla', record), 'tesla_V');
  const args = redisEntryArgs(record, 1000);
  assert.deepEqual(args.slice(0, 4), ['MAXLEN', '~', '1000', '*']);
  assert.deepEqual(
    args.filter((_, index) => index >= 4 && index % 2 === 0),
    ['vin', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'record'],
  );
  assert.equal(redisEntryArgs(record, undefined)[0], '*');
});
