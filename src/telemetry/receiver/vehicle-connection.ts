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
 * Serves one vehicle's WebSocket: decodes each binary frame, hands records to the hub and the
 * sinks, and acks in order. Nothing a frame holds can throw out of here. `socket` is the one the
 * WebSocket runs on, so acks sent together are written together.
 */
export function serveVehicle(
  ws: WebSocket,
  hello: VehicleHello,
  deps: ConnectionDeps,
  socket?: Corkable,
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

  let paused = false;
  // The acks of one read (up to maxInFlight frames) leave in one TLS write.
  const hold = socket ? writeCoalescer(socket) : undefined;
  const acks = new AckQueue(
    (bytes) => {
      if (ws.readyState !== ws.OPEN) return;
      hold?.();
      ws.send(bytes);
    },
    (inFlight) => {
      // Backpressure: a slow sink stops this vehicle's reads instead of growing a queue.
      if (!paused && inFlight >= deps.maxInFlight) {
        paused = true;
        ws.pause();
      } else if (paused && inFlight <= deps.maxInFlight / 2) {
        paused = false;
        ws.resume();
      }
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
