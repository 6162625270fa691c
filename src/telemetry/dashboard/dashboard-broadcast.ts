import { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { type Corkable, writeCoalescer } from '../../core/write-coalescer.ts';
import type { TelemetryRecord } from '../records.ts';
import type { TelemetryFeed } from '../telemetry-feed.ts';
import type { DashboardAccess } from './dashboard-access.ts';
import { recordMessage, snapshotMessage } from './dashboard-messages.ts';

/** How much a dashboard may fall behind before it is dropped. */
export interface BroadcastLimits {
  /** A client with more than this many bytes queued is dropped (default 1 MiB). */
  readonly maxBufferedBytes: number;
  /** Records held for a client while its snapshot is read; more and it is dropped (default 10,000). */
  readonly maxPendingRecords: number;
  /** How long a dropped client's close handshake may take before its connection is cut (default 5 s). */
  readonly closeGraceMs: number;
}

/** The limits a dashboard runs with unless told otherwise. */
export const DEFAULT_BROADCAST_LIMITS: BroadcastLimits = {
  maxBufferedBytes: 1024 * 1024,
  maxPendingRecords: 10_000,
  closeGraceMs: 5_000,
};

/** WebSocket close codes the dashboard uses. */
export const DASHBOARD_CLOSE = {
  goingAway: 1001,
  tokenExpired: 1008,
  internal: 1011,
  tooSlow: 1013,
  /** The login that let the socket in has ended (logged out, expired, revoked): log in again. */
  signedOut: 4401,
} as const;

interface Client {
  readonly ws: WebSocket;
  readonly access: DashboardAccess;
  /** Records that arrived while the snapshot was read; unset once it has been sent. */
  pending: TelemetryRecord[] | undefined;
  expiry: NodeJS.Timeout | undefined;
  /** Stops listening for the access to be withdrawn. */
  unwatch: (() => void) | undefined;
  /** Corks the client's socket until the current burst of records is sent. */
  readonly hold: (() => void) | undefined;
}

/**
 * Fans records out to dashboard WebSockets. One feed subscription serves every client, each
 * record is serialised once, and sending never waits: a client whose queue grows past the bound
 * is dropped (close 1013) instead of holding anything up, so vehicles never wait for a browser.
 */
export class DashboardBroadcast {
  readonly #feed: TelemetryFeed;
  readonly #limits: BroadcastLimits;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #clients = new Set<Client>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: {
    feed: TelemetryFeed;
    clock: Clock;
    limits?: Partial<BroadcastLimits>;
    logger?: Logger;
  }) {
    this.#feed = options.feed;
    this.#clock = options.clock;
    this.#limits = { ...DEFAULT_BROADCAST_LIMITS, ...options.limits };
    this.#logger = options.logger;
  }

  /** How many dashboards are connected. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Starts sending to an authorised WebSocket: the snapshot first, then every record it may see.
   * With the `socket` it runs on, the records of one burst are written together.
   */
  add(ws: WebSocket, access: DashboardAccess, socket?: Corkable): void {
    const client: Client = {
      ws,
      access,
      pending: [],
      expiry: undefined,
      unwatch: undefined,
      // Records come one vehicle read at a time; a dashboard takes each turn's in one write.
      hold: socket && writeCoalescer(socket, 'turn'),
    };
    this.#clients.add(client);
    this.#unsubscribe ??= this.#feed.subscribe((record) => this.#onRecord(record));
    ws.on('error', () => {});
    ws.once('close', () => this.#remove(client));
    if (access.expiresAt !== undefined) {
      const left = access.expiresAt - this.#clock();
      // Longer than a timer can wait (about 24 days): the token outlives any likely connection.
      if (left < 2 ** 31) {
        client.expiry = setTimeout(
          () => this.#drop(client, DASHBOARD_CLOSE.tokenExpired, 'token expired'),
          left,
        );
        client.expiry.unref();
      }
    }
    if (access.ended) {
      const { ended } = access;
      const signOut = () => this.#drop(client, DASHBOARD_CLOSE.signedOut, signedOutReason(ended.reason));
      if (ended.aborted) {
        signOut();
        return;
      }
      ended.addEventListener('abort', signOut, { once: true });
      client.unwatch = () => ended.removeEventListener('abort', signOut);
    }
    this.#feed.snapshot().then(
      (vehicles) => {
        if (!this.#clients.has(client)) return;
        const visible = vehicles.filter((v) => maySee(access, v.vin));
        this.#send(client, JSON.stringify(snapshotMessage(visible)));
        const held = client.pending ?? [];
        client.pending = undefined;
        for (const record of held) this.#send(client, JSON.stringify(recordMessage(record)));
      },
      (error: unknown) => {
        this.#logger?.error({ err: error }, 'dashboard snapshot failed');
        this.#drop(client, DASHBOARD_CLOSE.internal, 'snapshot unavailable');
      },
    );
  }

  /** Closes every dashboard (server shutting down) and leaves the feed. */
  close(): void {
    for (const client of [...this.#clients])
      this.#drop(client, DASHBOARD_CLOSE.goingAway, 'server shutting down');
  }

  #onRecord(record: TelemetryRecord): void {
    let text: string | undefined;
    for (const client of this.#clients) {
      if (!maySee(client.access, record.vin)) continue;
      if (client.pending) {
        if (client.pending.length >= this.#limits.maxPendingRecords)
          this.#drop(client, DASHBOARD_CLOSE.tooSlow, 'too slow: records arrived faster than the snapshot');
        else client.pending.push(record);
        continue;
      }
      text ??= JSON.stringify(recordMessage(record));
      this.#send(client, text);
    }
  }

  #send(client: Client, text: string): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#drop(client, DASHBOARD_CLOSE.tooSlow, 'too slow: the dashboard fell behind the vehicles');
      return;
    }
    client.hold?.();
    client.ws.send(text);
  }

  /** Stops sending at once; the close frame follows what is queued, and the connection is cut if it lingers. */
  #drop(client: Client, code: number, reason: string): void {
    if (!this.#remove(client)) return;
    if (code === DASHBOARD_CLOSE.tooSlow)
      this.#logger?.warn({ buffered: client.ws.bufferedAmount }, 'dashboard dropped: too slow');
    const { ws } = client;
    if (ws.readyState === WebSocket.CLOSED) return;
    ws.close(code, reason);
    const cut = setTimeout(() => ws.terminate(), this.#limits.closeGraceMs);
    cut.unref();
    ws.once('close', () => clearTimeout(cut));
  }

  #remove(client: Client): boolean {
    if (!this.#clients.delete(client)) return false;
    clearTimeout(client.expiry);
    client.unwatch?.();
    if (this.#clients.size === 0) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
    }
    return true;
  }
}

/** The close reason of a withdrawn access: the abort's, when it gave one that fits a close frame. */
function signedOutReason(reason: unknown): string {
  return typeof reason === 'string' && Buffer.byteLength(reason) <= 123 ? reason : 'signed out: log in again';
}

/** True when the access covers the VIN. */
function maySee(access: DashboardAccess, vin: string): boolean {
  return access.vins === 'all' || access.vins.has(vin);
}
