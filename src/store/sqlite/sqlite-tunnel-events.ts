import type { DatabaseSync } from 'node:sqlite';
import type { TunnelEventLog } from '../repositories.ts';
import { TUNNEL_EVENTS_KEPT, type TunnelEvent } from '../types.ts';

/** Tunnel audit trails in the embedded store: one table, trimmed per tunnel on every append. */
export class SqliteTunnelEvents implements TunnelEventLog {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async append(name: string, event: TunnelEvent): Promise<void> {
    this.#db
      .prepare('INSERT INTO tunnel_events (tunnel, data) VALUES (?, ?)')
      .run(name, JSON.stringify(event));
    this.#db
      .prepare(
        'DELETE FROM tunnel_events WHERE tunnel = ? AND seq <= (SELECT seq FROM tunnel_events WHERE tunnel = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      )
      .run(name, name, TUNNEL_EVENTS_KEPT);
  }

  async recent(name: string, limit: number): Promise<TunnelEvent[]> {
    const rows = this.#db
      .prepare('SELECT data FROM tunnel_events WHERE tunnel = ? ORDER BY seq DESC LIMIT ?')
      .all(name, limit) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as TunnelEvent);
  }

  async clear(name: string): Promise<void> {
    this.#db.prepare('DELETE FROM tunnel_events WHERE tunnel = ?').run(name);
  }
}
