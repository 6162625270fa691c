import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.ts';
import { TESLA_ACCOUNTS } from '../../store/entities.ts';
import type { Store } from '../../store/types.ts';
import type { LoginLogger } from './login-context.ts';

/** The close reason of a socket whose login was logged out or revoked. */
export const SIGNED_OUT_REASON = 'signed out: log in again';
/** The close reason of a socket whose login's session ran out. */
export const EXPIRED_REASON = 'signed out: your login expired, log in again';

/** How often open sockets look whether their login still holds, unless told otherwise. */
export const LOGIN_CHECK_MS = 15_000;

/** The login behind one open socket. */
export interface WatchedLogin {
  /** When the session ends, ms since the epoch by the gateway's clock. */
  readonly expiresAt: number;
  /** Whether the session and its account are still stored; a store that cannot answer rejects. */
  readonly holds: () => Promise<boolean>;
}

interface Watched extends WatchedLogin {
  readonly controller: AbortController;
}

/**
 * The open dashboard sockets of Tesla logins, each ended when its login does. Every way a login
 * ends but expiry forgets its account's tokens, and that write is announced to every node sharing
 * the store (Redis pub/sub): on hearing it, each node looks again at the logins of its sockets.
 * A timer looks too, for expiry by the gateway's clock and for an announcement a node missed.
 */
export class LoginWatch {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: LoginLogger;
  readonly #checkMs: number;
  readonly #open = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: { store: Store; clock: Clock; logger: LoginLogger; checkMs?: number | undefined }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#checkMs = options.checkMs ?? LOGIN_CHECK_MS;
  }

  /** How many sockets are watched. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Watches the login behind `socket` until the socket closes; the signal aborts, with the close
   * reason, once the login has ended. It is looked at once now, in case it ended while the
   * socket was being let in.
   */
  watch(socket: Duplex, login: WatchedLogin): AbortSignal {
    const watched: Watched = { ...login, controller: new AbortController() };
    if (socket.destroyed) return watched.controller.signal;
    this.#open.add(watched);
    socket.once('close', () => this.#forget(watched));
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.check(), this.#checkMs);
      this.#timer.unref();
      this.#unsubscribe = this.#store.onChange((event) => {
        if (event.topic === TESLA_ACCOUNTS.topic) void this.check();
      });
    }
    void this.#check(watched);
    return watched.controller.signal;
  }

  /** Ends every socket whose login has expired or is gone; resolves when all are looked at. */
  async check(): Promise<void> {
    await Promise.all([...this.#open].map((watched) => this.#check(watched)));
  }

  async #check(watched: Watched): Promise<void> {
    if (this.#clock() >= watched.expiresAt) {
      this.#end(watched, EXPIRED_REASON);
      return;
    }
    const holds = await watched.holds().catch((error: unknown) => {
      // A store that cannot answer now is no proof of a logout: looked at again later.
      this.#logger.warn({ err: String(error) }, 'checking a dashboard login failed');
      return true;
    });
    if (!holds) this.#end(watched, SIGNED_OUT_REASON);
  }

  #end(watched: Watched, reason: string): void {
    if (!this.#forget(watched)) return;
    watched.controller.abort(reason);
  }

  #forget(watched: Watched): boolean {
    if (!this.#open.delete(watched)) return false;
    if (this.#open.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
    }
    return true;
  }
}
