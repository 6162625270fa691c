import { Redis } from 'ioredis';
import type { RecordSink, TelemetryRecord } from '../records.ts';
import { brokerStateLog } from './broker-state-log.ts';
import { recordJson, recordMetadata } from './record-metadata.ts';
import type { SinkDeps } from './sink-deps.ts';
import type { RedisSinkSettings } from './sink-settings.ts';
import { sinkUnavailable, untilReady, withWriteDeadline } from './write-deadline.ts';

/** The stream a record goes to: `<namespace>_<type>`, as Tesla's `namespace` names topics (`tesla_V`). */
export function redisStreamKey(namespace: string, record: TelemetryRecord): string {
  return `${namespace}_${record.type}`;
}

/** The `XADD` arguments after the key: optional `MAXLEN ~ n`, `*`, then the metadata and the record. */
export function redisEntryArgs(record: TelemetryRecord, maxLen: number | undefined): string[] {
  const args = maxLen === undefined ? [] : ['MAXLEN', '~', String(maxLen)];
  args.push('*');
  for (const [name, value] of recordMetadata(record)) args.push(name, value);
  args.push('record', recordJson(record));
  return args;
}

/**
 * Redis Streams: `write` resolves once Redis answered the `XADD` with the entry's id. Commands are
 * never queued while disconnected (a queued command would land after its write had already been
 * reported failed); a write waits for the connection up to its deadline instead.
 */
export function createRedisSink(settings: RedisSinkSettings, deps: SinkDeps): RecordSink {
  let closed = false;
  const state = brokerStateLog('redis', deps.logger, deps.clock);
  const redis = new Redis(settings.url, {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(settings.writeTimeoutMs, 1_000),
    // A dead socket never reports closing; waiting the default 2 s for it only delays shutdown.
    disconnectTimeout: 100,
    // Keep trying for as long as the process lives: the broker coming back is the normal case.
    retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
  });
  // Without a listener ioredis reports errors on the console; the state log says it once instead.
  redis.on('error', (error: Error) => state.down(error));
  redis.on('close', () => {
    if (!closed) state.down();
  });
  redis.on('ready', () => state.up());
  const stall = () => (redis.status === 'ready' ? 'Redis did not answer the XADD' : 'Redis is not reachable');

  return {
    name: 'redis',
    async write(record) {
      if (closed) throw sinkUnavailable('redis', 'the sink is closed');
      await withWriteDeadline('redis', settings.writeTimeoutMs, stall, async ({ signal }) => {
        await untilReady(redis, 'ready', () => redis.status === 'ready', signal);
        const key = redisStreamKey(settings.namespace, record);
        const id = await redis
          .call('XADD', key, ...redisEntryArgs(record, settings.maxLen))
          .catch((error: unknown) => {
            // A connection that broke under the command: say so, not the client library's wording.
            if (redis.status !== 'ready' || /writeable|closed/i.test(String(error))) {
              throw sinkUnavailable('redis', 'Redis is not reachable', error);
            }
            throw error;
          });
        if (typeof id !== 'string') throw new Error('Redis answered XADD without an entry id');
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (redis.status === 'ready') {
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}
