import type { DatabaseSync } from 'node:sqlite';
import { type Clock, systemClock } from '../../util/clock.ts';
import type { EphemeralRepository } from '../types.ts';

/** Expiring records in the embedded store; expired rows are ignored on read and purged on write. */
export class SqliteEphemeral implements EphemeralRepository {
  readonly #db: DatabaseSync;
  readonly #now: Clock;

  constructor(db: DatabaseSync, now: Clock = systemClock) {
    this.#db = db;
    this.#now = now;
  }

  #purge(): void {
    this.#db.prepare('DELETE FROM ephemeral WHERE expires_at <= ?').run(this.#now());
  }

  async put(namespace: string, key: string, value: string, ttlMs: number): Promise<void> {
    this.#purge();
    this.#db
      .prepare('INSERT OR REPLACE INTO ephemeral (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)')
      .run(namespace, key, value, this.#now() + ttlMs);
  }

  async putIfAbsent(namespace: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    this.#purge();
    const result = this.#db
      .prepare('INSERT OR IGNORE INTO ephemeral (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)')
      .run(namespace, key, value, this.#now() + ttlMs);
    return result.changes === 1;
  }

  async get(namespace: string, key: string): Promise<string | undefined> {
    const row = this.#db
      .prepare('SELECT value FROM ephemeral WHERE namespace = ? AND key = ? AND expires_at > ?')
      .get(namespace, key, this.#now()) as { value: string } | undefined;
    return row?.value;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const result = this.#db
      .prepare('DELETE FROM ephemeral WHERE namespace = ? AND key = ? AND expires_at > ?')
      .run(namespace, key, this.#now());
    return result.changes === 1;
  }

  async deleteIf(namespace: string, key: string, value: string): Promise<boolean> {
    const result = this.#db
      .prepare('DELETE FROM ephemeral WHERE namespace = ? AND key = ? AND value = ? AND expires_at > ?')
      .run(namespace, key, value, this.#now());
    return result.changes === 1;
  }

  async list(namespace: string): Promise<{ key: string; value: string; expiresAt: number }[]> {
    const rows = this.#db
      .prepare(
        'SELECT key, value, expires_at FROM ephemeral WHERE namespace = ? AND expires_at > ? ORDER BY key',
      )
      .all(namespace, this.#now()) as { key: string; value: string; expires_at: number }[];
    return rows.map((r) => ({ key: r.key, value: r.value, expiresAt: r.expires_at }));
  }
}
