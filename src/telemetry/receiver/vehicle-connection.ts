import type { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { type Corkable, writeCoalescer } from '../../core/write-coalescer.ts';
import type { ConnectivityRecord } from '../records.ts';
import type { TelemetryHub } from '../telemetry-hub.ts';
import { AckQueue } from './ack-queue.ts';
import { dispatchRecord, type SinkFailures } from './dispatch-record.ts';
import type { FrameReader } from './frame-outcome.ts';
import { RateWindow } from './rate-window.ts';
import type { SinkRoutes } from './sink-registry.ts';

/** What every vehicle connection shares. */
export interface ConnectionDeps {
  readonly hub: TelemetryHub;
  readonly routes: SinkRoutes;
  readonly failures: SinkFailures;
  readonly readFrame: FrameReader;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Per connection; over-limit messages are dropped without an ack. */
  readonly rateLimit?: { readonly messages: number; readonly intervalMs: number } | undefined;
  /** Messages in flight at which reading pauses; it resumes at half. */
  readonly maxInFlight: number;
}

/** Who is on the other end, as authenticated before the upgrade. */
export interface VehicleHello {
  /** From the client certificate. */
  readonly vin: string;
  readonly connectionId: string;
  readonly networkInterface?: string | undefined;
  readonly deviceClientVersion?: string | undefined;
}

/** Close codes of the WebSocket protocol the receiver uses. */
const UNSUPPORTED_DATA = 1003;

/**
 * Ack bytes a connection may have waiting to be sent before it stops reading: a vehicle that does
 * not read its acks then stops being read, instead of growing the gateway's memory.
 */
export const MAX_UNSENT_ACK_BYTES = 1024 * 1024;

/** The socket a vehicle's WebSocket runs on: acks are corked on it and wait for its drain. */
export type VehicleSocket = Corkable & { once(event: 'drain', listener: () => void): unknown };

/**
 * Serves one vehicle's WebSocket: decodes each binary frame, hands records to the hub and the
 * sinks, and acks in order. Nothing a frame holds can throw out of here. `socket` is the one the
 * WebSocket runs on, so acks sent together are written together.
 */
export function serveVehicle(
  ws: WebSocket,
  hello: VehicleHello,
  deps: ConnectionDeps,
  socket?: VehicleSocket,
): void {
  const { vin, connectionId } = hello;
  const { logger, clock } = deps;
  const connectivity = (status: ConnectivityRecord['status']): void => {
    const now = clock();
    const record: ConnectivityRecord = {
      type: 'connectivity',
      vin,
      createdAt: now,
      receivedAt: now,
      txid: '',
      deviceClientVersion: hello.deviceClientVersion,
      status,
      connectionId,
      networkInterface: hello.networkInterface,
    };
    try {
      deps.hub.publish(record);
      dispatchRecord(record, deps.routes, deps.failures);
    } catch (error) {
      logger.error({ err: error, vin }, 'a connectivity record could not be handled');
    }
  };

  // Reading stops for either of two reasons: too many messages in flight (a slow sink), or too
  // many ack bytes unsent (a vehicle that does not read); it resumes when neither holds.
  let paused = false;
  let sinksBehind = false;
  let acksUnread = false;
  const readOrNot = () => {
    const stop = sinksBehind || acksUnread;
    if (stop === paused || ws.readyState !== ws.OPEN) return;
    paused = stop;
    if (stop) ws.pause();
    else ws.resume();
  };
  // The acks of one read (up to maxInFlight frames) leave in one TLS write.
  const hold = socket ? writeCoalescer(socket) : undefined;
  const acks = new AckQueue(
    (bytes) => {
      if (ws.readyState !== ws.OPEN) return;
      hold?.();
      ws.send(bytes);
      if (!acksUnread && socket && ws.bufferedAmount >= MAX_UNSENT_ACK_BYTES) {
        acksUnread = true;
        readOrNot();
        socket.once('drain', () => {
          acksUnread = false;
          readOrNot();
        });
      }
    },
    (inFlight) => {
      // Backpressure: a slow sink stops this vehicle's reads instead of growing a queue.
      if (!sinksBehind && inFlight >= deps.maxInFlight) sinksBehind = true;
      else if (sinksBehind && inFlight <= deps.maxInFlight / 2) sinksBehind = false;
      else return;
      readOrNot();
    },
  );
  const limit = deps.rateLimit
    ? new RateWindow(deps.rateLimit.messages, deps.rateLimit.intervalMs, clock)
    : undefined;
  let dropping = false;
  let mismatchTold = false;

  ws.on('message', (data, isBinary) => {
    try {
      if (!isBinary) {
        ws.close(UNSUPPORTED_DATA, 'binary frames only');
        return;
      }
      if (limit && !limit.allow()) {
        if (!dropping) logger.warn({ vin, connectionId }, 'rate limit reached: messages dropped without ack');
        dropping = true;
        return;
      }
      dropping = false;
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      const outcome = deps.readFrame(bytes, {
        vin,
        receivedAt: clock(),
        deviceClientVersion: hello.deviceClientVersion,
      });
      switch (outcome.kind) {
        case 'malformed':
          logger.info({ vin, connectionId, why: outcome.why }, 'incorrect message format');
          acks.push(outcome.reply, true);
          return;
        case 'unhandled':
          logger.info({ vin, connectionId, why: outcome.why }, 'message acked but not taken');
          acks.push(outcome.ack, true);
          return;
        case 'record': {
          if (outcome.payloadVin !== undefined && !mismatchTold) {
            mismatchTold = true;
            logger.warn(
              { vin, payloadVin: outcome.payloadVin, connectionId },
              "the payload names another VIN than the vehicle's certificate; the certificate's is used",
            );
          }
          deps.hub.publish(outcome.record);
          const { confirmed, settled } = dispatchRecord(outcome.record, deps.routes, deps.failures);
          acks.push(outcome.ack, confirmed, settled);
          return;
        }
      }
    } catch (error) {
      logger.error({ err: error, vin, connectionId }, 'a telemetry frame could not be handled');
    }
  });
  // ws closes the socket itself after a protocol error (1002, 1009); this only keeps it from throwing.
  ws.on('error', (error) => logger.info({ err: error, vin, connectionId }, 'vehicle connection error'));
  ws.once('close', () => connectivity('DISCONNECTED'));
  connectivity('CONNECTED');
}
