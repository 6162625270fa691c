import { readFileSync } from 'node:fs';

/** How many client connections one listener holds at most, in all and from one address. */
export interface ConnectionLimits {
  readonly perListener: number;
  readonly perClient: number;
}

/** What the table needs of a connection: where it comes from, and a way to end it. */
export interface TrackedConnection {
  readonly remoteAddress?: string | undefined;
  destroy(): void;
}

/** Why a connection was ended to make room, as the log and `/metrics` name it. */
export type ShedReason = 'listener' | 'client';

interface Entry {
  readonly client: string;
  /** Requests in flight, or Infinity once upgraded or passed through: never idle again. */
  active: number;
}

/**
 * The connections of one listener, oldest first. A new connection over a limit makes room by
 * ending the oldest idle one (no request in flight, not upgraded: a silent socket, a keep-alive
 * connection between requests) of the same client when that client is over its limit, else of
 * anyone; when nothing is idle, the new connection itself is refused. So a flood of idle
 * connections cannot take the descriptors the process needs, nor crowd out clients at work.
 */
export class ConnectionTable<C extends TrackedConnection = TrackedConnection> {
  readonly #limits: ConnectionLimits;
  readonly #onShed: (reason: ShedReason, client: string) => void;
  readonly #all = new Map<C, Entry>();
  readonly #byClient = new Map<string, Set<C>>();

  constructor(limits: ConnectionLimits, onShed: (reason: ShedReason, client: string) => void = () => {}) {
    this.#limits = limits;
    this.#onShed = onShed;
  }

  /** Connections held now. */
  get size(): number {
    return this.#all.size;
  }

  /** Connections held now from one client address. */
  countOf(client: string): number {
    return this.#byClient.get(client)?.size ?? 0;
  }

  /**
   * Takes a new connection, ending an idle one to make room when a limit is reached. Returns false
   * when there was no room (the new connection is then ended, and not tracked).
   */
  admit(connection: C): boolean {
    const client = connection.remoteAddress ?? 'unknown';
    const mine = this.#byClient.get(client);
    if ((mine?.size ?? 0) >= this.#limits.perClient && !this.#shedOldestIdle(mine!, 'client', client)) {
      this.#onShed('client', client);
      connection.destroy();
      return false;
    }
    if (
      this.#all.size >= this.#limits.perListener &&
      !this.#shedOldestIdle(this.#all.keys(), 'listener', client)
    ) {
      this.#onShed('listener', client);
      connection.destroy();
      return false;
    }
    this.#all.set(connection, { client, active: 0 });
    const set = this.#byClient.get(client) ?? new Set<C>();
    this.#byClient.set(client, set);
    set.add(connection);
    return true;
  }

  /** Forgets a closed connection. */
  closed(connection: C): void {
    const entry = this.#all.get(connection);
    if (!entry) return;
    this.#all.delete(connection);
    const set = this.#byClient.get(entry.client);
    set?.delete(connection);
    if (set?.size === 0) this.#byClient.delete(entry.client);
  }

  /** A request started on the connection: it is not idle until the request ends. */
  busy(connection: C): void {
    const entry = this.#all.get(connection);
    if (entry) entry.active++;
  }

  /** A request on the connection ended. */
  done(connection: C): void {
    const entry = this.#all.get(connection);
    if (entry && entry.active > 0) entry.active--;
  }

  /** The connection was upgraded or passed through: it carries a stream and is never idle. */
  pinned(connection: C): void {
    const entry = this.#all.get(connection);
    if (entry) entry.active = Number.POSITIVE_INFINITY;
  }

  /** Ends the oldest idle connection among `candidates` (oldest first); false when none is idle. */
  #shedOldestIdle(candidates: Iterable<C>, reason: ShedReason, client: string): boolean {
    for (const connection of candidates) {
      if (this.#all.get(connection)?.active !== 0) continue;
      this.closed(connection);
      connection.destroy();
      this.#onShed(reason, client);
      return true;
    }
    return false;
  }
}

/**
 * The default connection limit of a listener: seven tenths of the process's open-file limit (the
 * rest is for upstreams, tunnels, the store and logs), at most 20,000; 10,000 where the limit
 * cannot be read.
 */
export function defaultConnectionLimit(limitsFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && soft > 0) return Math.max(16, Math.min(20_000, Math.floor(soft * 0.7)));
  } catch {
    // Not Linux, or /proc is not mounted: fall through.
  }
  return 10_000;
}
