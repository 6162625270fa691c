import type { DatabaseSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import { TUNNEL_EVENTS_KEPT, type TunnelEvent, type TunnelRecord, type TunnelRepository } from '../types.ts';

/** Tunnels in the embedded store. */
export class SqliteTunnels implements TunnelRepository {
  readonly #db: DatabaseSync;
  readonly #changed: () => void;

  constructor(db: DatabaseSync, changed: () => void) {
    this.#db = db;
    this.#changed = changed;
  }

  async list(): Promise<TunnelRecord[]> {
    const rows = this.#db.prepare('SELECT data FROM tunnels ORDER BY created_at, name').all() as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as TunnelRecord);
  }

  async get(name: string): Promise<TunnelRecord | undefined> {
    const row = this.#db.prepare('SELECT data FROM tunnels WHERE name = ?').get(name) as
      | { data: string }
      | undefined;
    return row ? (JSON.parse(row.data) as TunnelRecord) : undefined;
  }

  async insert(tunnel: TunnelRecord): Promise<void> {
    try {
      this.#db
        .prepare('INSERT INTO tunnels (name, owner, created_at, data) VALUES (?, ?, ?, ?)')
        .run(tunnel.name, tunnel.owner, tunnel.createdAt, JSON.stringify(tunnel));
    } catch (error) {
      if (error instanceof Error && /UNIQUE constraint failed/.test(error.message)) {
        throw new StoreError('STORE_CONFLICT', `tunnel ${tunnel.name} exists`);
      }
      throw error;
    }
    this.#changed();
  }

  async setKey(name: string, keyHash: string, keyPrefix: string, at: string): Promise<boolean> {
    const current = await this.get(name);
    if (!current) return false;
    const next: TunnelRecord = { ...current, keyHash, keyPrefix, keyRotatedAt: at };
    this.#db.prepare('UPDATE tunnels SET data = ? WHERE name = ?').run(JSON.stringify(next), name);
    this.#changed();
    return true;
  }

  async delete(name: string): Promise<boolean> {
    const result = this.#db.prepare('DELETE FROM tunnels WHERE name = ?').run(name);
    this.#db.prepare('DELETE FROM tunnel_events WHERE tunnel = ?').run(name);
    if (result.changes === 0) return false;
    this.#changed();
    return true;
  }

  async addEvent(name: string, event: TunnelEvent): Promise<void> {
    this.#db
      .prepare('INSERT INTO tunnel_events (tunnel, data) VALUES (?, ?)')
      .run(name, JSON.stringify(event));
    this.#db
      .prepare(
        'DELETE FROM tunnel_events WHERE tunnel = ? AND seq <= (SELECT seq FROM tunnel_events WHERE tunnel = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      )
      .run(name, name, TUNNEL_EVENTS_KEPT);
  }

  async events(name: string, limit: number): Promise<TunnelEvent[]> {
    const rows = this.#db
      .prepare('SELECT data FROM tunnel_events WHERE tunnel = ? ORDER BY seq DESC LIMIT ?')
      .all(name, limit) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as TunnelEvent);
  }
}
