import { EventEmitter } from 'node:events';
import type { TunnelSession } from '../protocol/tunnel-session.ts';

/**
 * The tunnels connected to this node, by name. The newest connection for a name wins; an older
 * one is closed, and its cleanup cannot remove its successor. Emits `waiting` (name) when a
 * request starts waiting for an offline tunnel, and `connected` (session) when one registers.
 */
export class TunnelRegistry extends EventEmitter<{
  waiting: [name: string];
  connected: [session: TunnelSession];
}> {
  readonly #sessions = new Map<string, TunnelSession>();
  readonly #waiters = new Map<string, Set<(session: TunnelSession) => void>>();

  /** Makes `session` the one serving its name; returns the one it replaced, already closed. */
  register(session: TunnelSession): TunnelSession | undefined {
    const name = session.info.name;
    const previous = this.#sessions.get(name);
    this.#sessions.set(name, session);
    session.onClose(() => {
      // Only the current holder may remove the name: a late close of a replaced one must not.
      if (this.#sessions.get(name) === session) this.#sessions.delete(name);
    });
    previous?.close('replaced by a newer connection');
    this.emit('connected', session);
    for (const wake of this.#waiters.get(name) ?? []) wake(session);
    this.#waiters.delete(name);
    return previous;
  }

  /** The open session for `name`. */
  get(name: string): TunnelSession | undefined {
    const session = this.#sessions.get(name);
    return session?.open ? session : undefined;
  }

  /** The session for `name`, waiting up to `ms` for one to connect. */
  async waitFor(name: string, ms: number): Promise<TunnelSession | undefined> {
    const now = this.get(name);
    if (now || ms <= 0) return now;
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(name) ?? new Set();
      this.#waiters.set(name, waiters);
      const wake = (session: TunnelSession | undefined) => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(session);
      };
      const timer = setTimeout(() => wake(undefined), ms);
      waiters.add(wake);
      this.emit('waiting', name);
    });
  }

  /** Closes one tunnel's connection (after its key was rotated or it was deleted). */
  disconnect(name: string, reason: string): void {
    this.#sessions.get(name)?.close(reason);
  }

  /** Every open session. */
  all(): TunnelSession[] {
    return [...this.#sessions.values()].filter((s) => s.open);
  }

  /** Closes every session. */
  closeAll(reason: string): void {
    for (const session of this.#sessions.values()) session.close(reason);
  }
}
