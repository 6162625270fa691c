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

/** One record waiting for the next pipeline. */
interface PendingWrite {
  readonly key: string;
  readonly args: string[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Redis Streams: `write` resolves once Redis answered the `XADD` with the entry's id; the writes
 * of one event-loop turn share a pipeline. Commands are never queued while disconnected (a queued
 * command would land after its write had already been reported failed); a write waits for the
 * connection up to its deadline instead.
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
  /** A command that failed: a connection that broke under it says so, not in the client library's words. */
  const failure = (error: unknown) =>
    redis.status !== 'ready' || /writeable|closed/i.test(String(error))
      ? sinkUnavailable('redis', 'Redis is not reachable', error)
      : sinkUnavailable('redis', error instanceof Error ? error.message : String(error), error);

  // Writes of one event-loop turn go in one pipeline under one deadline: a round trip, a timer
  // and a socket write per record made the acks queue up behind each other at 5,000 records/s.
  let batch: PendingWrite[] = [];
  const flush = (): void => {
    const writes = batch;
    batch = [];
    withWriteDeadline('redis', settings.writeTimeoutMs, stall, async ({ signal }) => {
      await untilReady(redis, 'ready', () => redis.status === 'ready', signal);
      const pipeline = redis.pipeline();
      for (const w of writes) pipeline.call('XADD', w.key, ...w.args);
      const results = await pipeline.exec().catch((error: unknown) => {
        throw failure(error);
      });
      if (!results || results.length !== writes.length)
        throw sinkUnavailable('redis', 'Redis answered the XADDs only in part');
      return results;
    }).then(
      (results) => {
        writes.forEach((w, i) => {
          const [error, id] = results[i]!;
          if (error) w.reject(failure(error));
          else if (typeof id !== 'string')
            w.reject(sinkUnavailable('redis', 'Redis answered XADD without an entry id'));
          else w.resolve();
        });
      },
      (error: unknown) => {
        for (const w of writes) w.reject(error);
      },
    );
  };

  return {
    name: 'redis',
    async write(record) {
      if (closed) throw sinkUnavailable('redis', 'the sink is closed');
      const key = redisStreamKey(settings.namespace, record);
      const args = redisEntryArgs(record, settings.maxLen);
      await new Promise<void>((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ key, args, resolve, reject });
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
