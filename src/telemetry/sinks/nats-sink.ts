import { EventEmitter } from 'node:events';
import { connect, headers, type NatsConnection, NatsError } from 'nats';
import type { RecordSink, TelemetryRecord } from '../records.ts';
import { brokerStateLog } from './broker-state-log.ts';
import { recordJson, recordMetadata, topicToken } from './record-metadata.ts';
import type { SinkDeps } from './sink-deps.ts';
import type { NatsSinkSettings } from './sink-settings.ts';
import { sinkUnavailable, untilReady, withWriteDeadline } from './write-deadline.ts';

/** JetStream's `err_code` for a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;
/** Pause between two attempts at the first connection. */
const CONNECT_RETRY_MS = 500;

/** The subject a record is published to: `<prefix>.<type>.<vin>`, the VIN made a safe subject token. */
export function natsSubject(prefix: string, record: TelemetryRecord): string {
  return `${prefix}.${record.type}.${topicToken(record.vin, /[^A-Za-z0-9_-]/g)}`;
}

/**
 * JetStream's duplicate detection id: a record the vehicle resends after a lost ack is stored once
 * (within the stream's duplicate window, two minutes by default).
 */
export function natsMessageId(record: TelemetryRecord): string {
  return `${record.vin}:${record.type}:${record.txid}:${record.createdAt}`;
}

/**
 * NATS JetStream: `write` resolves once the stream acknowledged the message (a PubAck, so the
 * server stored it). The stream, capturing `<prefix>.>`, is made on connect if it does not exist.
 * A write waits for the connection up to its deadline rather than buffering while disconnected.
 */
export function createNatsSink(settings: NatsSinkSettings, deps: SinkDeps): RecordSink {
  const state = brokerStateLog('nats', deps.logger, deps.clock);
  const changes = new EventEmitter();
  let connection: NatsConnection | undefined;
  let online = false;
  let closed = false;
  let streamReady: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const wantedSubjects = `${settings.subjectPrefix}.>`;

  const setOnline = (value: boolean) => {
    online = value;
    changes.emit('change');
  };

  const watch = async (nc: NatsConnection) => {
    for await (const status of nc.status()) {
      if (closed) return;
      if (status.type === 'disconnect') {
        setOnline(false);
        state.down(typeof status.data === 'string' ? `lost ${status.data}` : undefined);
      } else if (status.type === 'reconnect') {
        // The server may have come back without its data: check the stream again before using it.
        streamReady = undefined;
        setOnline(true);
        state.up();
      }
    }
  };

  const open = async () => {
    try {
      const nc = await connect({
        servers: settings.servers,
        name: 'gatehouse-telemetry',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: Math.max(settings.writeTimeoutMs, 1_000),
      });
      if (closed) return void (await nc.close());
      connection = nc;
      watch(nc).catch(() => {});
      nc.closed().then(() => {
        if (closed) return;
        // Closed by the server for good (not a reconnect): start over.
        connection = undefined;
        streamReady = undefined;
        setOnline(false);
        state.down('connection closed');
        open();
      });
      setOnline(true);
      state.up();
      // Made on start, so a server without JetStream is reported before the first vehicle sends.
      ensureStream(nc, Math.max(settings.writeTimeoutMs, 5_000)).catch((error: unknown) =>
        deps.logger.error(
          { sink: 'nats', stream: settings.stream, reason: String(error) },
          'JetStream stream not ready',
        ),
      );
    } catch (error) {
      state.down(error);
      if (!closed) retryTimer = setTimeout(open, CONNECT_RETRY_MS);
    }
  };

  const ensureStream = (nc: NatsConnection, timeout: number) => {
    streamReady ??= (async () => {
      const jsm = await nc.jetstreamManager({ timeout });
      try {
        const info = await jsm.streams.info(settings.stream);
        const subjects = info.config.subjects ?? [];
        if (!subjects.includes(wantedSubjects)) {
          await jsm.streams.update(settings.stream, { subjects: [...subjects, wantedSubjects] });
        }
      } catch (error) {
        if (!(error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND)) throw error;
        await jsm.streams.add({ name: settings.stream, subjects: [wantedSubjects] });
        deps.logger.info(
          { sink: 'nats', stream: settings.stream, subjects: wantedSubjects },
          'JetStream stream created',
        );
      }
    })().catch((error: unknown) => {
      streamReady = undefined;
      throw explain(error);
    });
    return streamReady;
  };

  open();

  const stall = () => (online ? 'NATS JetStream did not acknowledge the message' : 'NATS is not reachable');

  return {
    name: 'nats',
    async write(record) {
      if (closed) throw sinkUnavailable('nats', 'the sink is closed');
      await withWriteDeadline('nats', settings.writeTimeoutMs, stall, async ({ signal, remainingMs }) => {
        await untilReady(changes, 'change', () => online && connection !== undefined, signal);
        const nc = connection as NatsConnection;
        await ensureStream(nc, remainingMs());
        const meta = headers();
        for (const [name, value] of recordMetadata(record)) meta.set(name, value);
        try {
          await nc
            .jetstream()
            .publish(
              natsSubject(settings.subjectPrefix, record),
              new TextEncoder().encode(recordJson(record)),
              {
                msgID: natsMessageId(record),
                headers: meta,
                timeout: remainingMs(),
                expect: { streamName: settings.stream },
              },
            );
        } catch (error) {
          // The stream may have been deleted under us: make sure of it again next time.
          streamReady = undefined;
          throw explain(error);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      setOnline(false);
      await connection?.close().catch(() => {});
    },
  };
}

/** NATS's terse errors, said so that whoever runs the server knows what to change. */
function explain(error: unknown): Error {
  if (error instanceof NatsError && error.code === '503') {
    return new Error(
      'no JetStream answered: start nats-server with -js (or enable jetstream in its config), and check no other stream claims these subjects',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
