import { randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Clock } from '../../core/clock.ts';
import { type ResolveMap, resolveEndpoint } from '../../fleet/hosted-key.ts';
import type { VehicleCertificate } from '../vehicle-ca.ts';
import { describeConnectionError } from './connection-errors.ts';
import { FieldSchedule } from './field-schedule.ts';
import { encodeFrame, readServerFrame, type StreamMessage } from './frames.ts';
import { IncidentModel, type IncidentRates } from './incidents.ts';
import { Outbox } from './outbox.ts';
import type { ScheduledTask, Scheduler } from './scheduler.ts';
import type { Random } from './seeded-random.ts';
import type { StreamTarget } from './stream-target.ts';
import { type SignalSource, vehicleSignals } from './vehicle-signals.ts';

/**
 * One vehicle's stream to one application's telemetry server: a WebSocket over mutual TLS (its
 * certificate from the simulator's CA, trusting only the configuration's `ca`), fed by the field
 * schedule and the incident model, with every message kept until acked. Driven by the shared
 * scheduler: one task per stream, at the next moment something is due.
 */

/** Tuning shared by every stream. */
export interface StreamOptions {
  /** An unacked message is sent again after this long (ms). */
  readonly ackTimeoutMs: number;
  /** Reconnect delays double from the first to the last (ms), with jitter. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Messages kept unacked at most; older ones are dropped. */
  readonly outboxLimit: number;
  readonly rates: IncidentRates;
  /** The `X-Network-Interface` header. */
  readonly networkInterface: string;
  /** The `Version` header: the vehicle's telemetry client version. */
  readonly clientVersion: string;
}

/** What a stream needs from its fleet. */
export interface VehicleStreamDeps {
  readonly clientId: string;
  readonly source: SignalSource;
  /** Firmware from before August 2025: numbers and booleans as strings unless `prefer_typed`. */
  readonly stringValues: boolean;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly certificate: () => Promise<VehicleCertificate>;
  readonly resolve?: ResolveMap | undefined;
  /** Records a failure the way the vehicle reports it to Tesla. */
  readonly reportError: (error: string) => void;
  readonly random: Random;
  readonly options: StreamOptions;
  readonly logger?: Logger | undefined;
}

type Status = 'connecting' | 'connected' | 'waiting' | 'stopped';

const MINUTE_MS = 60_000;
/** Past this much unsent data in the socket, flushing waits for the next wake. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** A running stream; {@link stop} ends it. */
export class VehicleStream {
  readonly #deps: VehicleStreamDeps;
  #target: StreamTarget;
  #schedule: FieldSchedule;
  #incidents: IncidentModel;
  readonly #outbox: Outbox<StreamMessage>;
  #status: Status = 'connecting';
  #socket: WebSocket | undefined;
  #context: SecureContext | undefined;
  #wake: ScheduledTask | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #nextMinute: number;
  #attempts = 0;
  #connections = 0;
  #rejected = 0;
  #lastError: string | undefined;
  #connectedAt: number | undefined;
  #closed: Promise<void> = Promise.resolve();

  constructor(deps: VehicleStreamDeps, target: StreamTarget) {
    this.#deps = deps;
    this.#target = target;
    const now = deps.clock();
    this.#schedule = new FieldSchedule(target.fields, now);
    this.#incidents = new IncidentModel(deps.random, deps.options.rates, target.alertTypes);
    this.#outbox = new Outbox(deps.options.outboxLimit);
    this.#nextMinute = now + MINUTE_MS;
    this.#reschedule(now);
    void this.#connect();
  }

  /** The configuration in use. */
  get target(): StreamTarget {
    return this.#target;
  }

  /** Whether the socket is open. */
  get connected(): boolean {
    return this.#status === 'connected';
  }

  /** A configuration sent again for the same server: new fields, and a full snapshot. */
  reconfigure(target: StreamTarget): void {
    const now = this.#deps.clock();
    this.#target = target;
    this.#schedule = new FieldSchedule(target.fields, now);
    this.#incidents = new IncidentModel(this.#deps.random, this.#deps.options.rates, target.alertTypes);
    this.#reschedule(now);
  }

  /** Closes the connection and drops the timers; resolves once the socket closed. */
  stop(): Promise<void> {
    this.#status = 'stopped';
    this.#wake?.cancel();
    this.#wake = undefined;
    this.#socket?.terminate();
    return this.#closed;
  }

  /** The stream's state for the control API. */
  state(): Record<string, unknown> {
    const counts = this.#outbox.counts();
    return {
      client_id: this.#deps.clientId,
      hostname: this.#target.hostname,
      port: this.#target.port,
      status: this.#status,
      connected: this.#status === 'connected',
      connected_since: this.#connectedAt === undefined ? null : new Date(this.#connectedAt).toISOString(),
      connections: this.#connections,
      fields: this.#schedule.names,
      ...counts,
      rejected: this.#rejected,
      last_error: this.#lastError ?? null,
    };
  }

  #wakeUp(): void {
    this.#wake = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    if (this.#status === 'stopped') return;
    const now = this.#deps.clock();
    const due = this.#schedule.due(now, () => vehicleSignals(this.#deps.source, now));
    if (due.size > 0) this.#outbox.add(randomUUID(), { topic: 'V', createdAt: now, fields: due });
    while (this.#nextMinute <= now) {
      const { alerts, errors } = this.#incidents.minute(this.#nextMinute);
      const at = this.#nextMinute;
      if (alerts.length > 0) this.#outbox.add(randomUUID(), { topic: 'alerts', createdAt: at, alerts });
      if (errors.length > 0) this.#outbox.add(randomUUID(), { topic: 'errors', createdAt: at, errors });
      this.#nextMinute += MINUTE_MS;
    }
    this.#flush(now);
    this.#reschedule(now);
  }

  #flush(now: number): void {
    const socket = this.#socket;
    if (!socket || this.#status !== 'connected' || socket.readyState !== WebSocket.OPEN) return;
    const { vin } = this.#deps.source;
    for (const message of this.#outbox.toSend(now - this.#deps.options.ackTimeoutMs)) {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) break;
      let frame: Uint8Array;
      try {
        frame = encodeFrame({
          vin,
          txid: message.txid,
          message: message.body,
          isResend: message.sends > 0,
          typed: !this.#deps.stringValues || this.#target.preferTyped,
          now,
        });
      } catch (error) {
        // A message the codec refuses would be refused forever: drop it rather than retry it.
        this.#outbox.discard(message.txid);
        this.#deps.logger?.warn({ vin, err: error }, 'vehicle: message not encodable, dropped');
        continue;
      }
      socket.send(frame);
      this.#outbox.markSent(message, now);
    }
  }

  #reschedule(now: number): void {
    let next = Math.min(this.#schedule.nextAt(), this.#nextMinute);
    if (this.#status === 'connected') {
      const oldest = this.#outbox.oldestSentAt();
      if (oldest !== Number.POSITIVE_INFINITY)
        next = Math.min(next, oldest + this.#deps.options.ackTimeoutMs + 1);
    }
    next = Math.max(next, now);
    if (next === this.#wakeAt && this.#wake) return;
    this.#wake?.cancel();
    this.#wakeAt = next;
    this.#wake = this.#deps.scheduler.at(next, () => this.#wakeUp());
  }

  async #connect(): Promise<void> {
    if (this.#status === 'stopped') return;
    this.#status = 'connecting';
    const target = this.#target;
    let socket: WebSocket;
    try {
      this.#context ??= await this.#secureContext(target);
      if (this.#stopped()) return;
      const resolved = resolveEndpoint(this.#deps.resolve, target.hostname, target.port);
      const lookup: LookupFunction | undefined = resolved
        ? (_host, options, callback) => {
            const family = resolved.address.includes(':') ? 6 : 4;
            if (options.all)
              (callback as (e: null, a: object[]) => void)(null, [{ address: resolved.address, family }]);
            else callback(null, resolved.address, family);
          }
        : undefined;
      socket = new WebSocket(`wss://${target.hostname}:${resolved?.port ?? target.port}/`, {
        secureContext: this.#context,
        servername: target.hostname,
        headers: {
          Version: this.#deps.options.clientVersion,
          'X-Network-Interface': this.#deps.options.networkInterface,
        },
        perMessageDeflate: false,
        handshakeTimeout: 15_000,
        ...(lookup ? { lookup } : {}),
      } as WebSocket.ClientOptions);
    } catch (error) {
      this.#failed(error);
      this.#retry();
      return;
    }
    this.#socket = socket;
    this.#closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.binaryType = 'nodebuffer';
    socket.on('open', () => {
      const now = this.#deps.clock();
      this.#status = 'connected';
      this.#attempts = 0;
      this.#connections++;
      this.#connectedAt = now;
      this.#lastError = undefined;
      this.#deps.logger?.debug({ vin: this.#deps.source.vin, host: target.hostname }, 'vehicle: streaming');
      this.#flush(now);
      this.#reschedule(now);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const reply = readServerFrame(data);
      if (reply.kind === 'ack') this.#outbox.ack(reply.txid);
      else if (reply.kind === 'rejected' && this.#outbox.ack(reply.txid)) this.#rejected++;
    });
    socket.on('error', (error) => this.#failed(error));
    socket.on('close', () => {
      this.#socket = undefined;
      this.#connectedAt = undefined;
      this.#outbox.connectionLost();
      this.#retry();
    });
  }

  #stopped(): boolean {
    return this.#status === 'stopped';
  }

  async #secureContext(target: StreamTarget): Promise<SecureContext> {
    const { certPem, keyPem } = await this.#deps.certificate();
    return createSecureContext({ ca: target.ca, cert: certPem, key: keyPem });
  }

  #failed(error: unknown): void {
    if (this.#status === 'stopped') return;
    const text = describeConnectionError(error, this.#target);
    this.#lastError = text;
    this.#deps.reportError(text);
    this.#deps.logger?.debug({ vin: this.#deps.source.vin, error: text }, 'vehicle: cannot stream');
  }

  #retry(): void {
    if (this.#status === 'stopped') return;
    this.#status = 'waiting';
    const { minBackoffMs, maxBackoffMs } = this.#deps.options;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    // Jitter, so a thousand vehicles do not all come back in the same millisecond.
    const delay = Math.round(base * (0.75 + 0.5 * this.#deps.random()));
    this.#deps.scheduler.after(delay, () => void this.#connect());
  }
}
