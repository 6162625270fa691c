import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type Clock, systemClock } from '../../core/clock.ts';
import type { EphemeralRepository } from '../types.ts';

/** Purges run at most this often: reads ignore expired rows anyway, so the purge is housekeeping. */
const PURGE_EVERY_MS = 1_000;

/** Expiring records in the embedded store; expired rows are ignored on read and purged on write. */
export class SqliteEphemeral implements EphemeralRepository {
  readonly #db: DatabaseSync;
  readonly #now: Clock;
  // Prepared once: preparing per call cost more than the statement itself on hot paths
  // (the telemetry receiver writes every vehicle's state each flush).
  readonly #statements = new Map<string, StatementSync>();
  #purgedAt = Number.NEGATIVE_INFINITY;

  constructor(db: DatabaseSync, now: Clock = systemClock) {
    this.#db = db;
    this.#now = now;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #purge(): void {
    const now = this.#now();
    if (now - this.#purgedAt < PURGE_EVERY_MS && now >= this.#purgedAt) return;
    this.#purgedAt = now;
    this.#prepare('DELETE FROM ephemeral WHERE expires_at <= ?').run(now);
  }

  async put(namespace: string, key: string, value: string, ttlMs: number): Promise<void> {
    this.#purge();
    this.#prepare(
      'INSERT OR REPLACE INTO ephemeral (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)',
    ).run(namespace, key, value, this.#now() + ttlMs);
  }

  async putMany(namespace: string, entries: readonly { key: string; value: string }[], ttlMs: number) {
    if (entries.length === 0) return;
    this.#purge();
    const insert = this.#prepare(
      'INSERT OR REPLACE INTO ephemeral (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)',
    );
    const expiresAt = this.#now() + ttlMs;
    // One commit for all: each autocommitted insert cost a WAL commit of its own.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const { key, value } of entries) insert.run(namespace, key, value, expiresAt);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async putIfAbsent(namespace: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    this.#purge();
    // The purge may have been skipped: an expired record under this key must not count as present.
    this.#prepare('DELETE FROM ephemeral WHERE namespace = ? AND key = ? AND expires_at <= ?').run(
      namespace,
      key,
      this.#now(),
    );
    const result = this.#prepare(
      'INSERT OR IGNORE INTO ephemeral (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)',
    ).run(namespace, key, value, this.#now() + ttlMs);
    return result.changes === 1;
  }

  async get(namespace: string, key: string): Promise<string | undefined> {
    const row = this.#prepare(
      'SELECT value FROM ephemeral WHERE namespace = ? AND key = ? AND expires_at > ?',
    ).get(namespace, key, this.#now()) as { value: string } | undefined;
    return row?.value;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const result = this.#prepare(
      'DELETE FROM ephemeral WHERE namespace = ? AND key = ? AND expires_at > ?',
    ).run(namespace, key, this.#now());
    return result.changes === 1;
  }

  async deleteIf(namespace: string, key: string, value: string): Promise<boolean> {
    const result = this.#prepare(
      'DELETE FROM ephemeral WHERE namespace = ? AND key = ? AND value = ? AND expires_at > ?',
    ).run(namespace, key, value, this.#now());
    return result.changes === 1;
  }

  async list(namespace: string): Promise<{ key: string; value: string; expiresAt: number }[]> {
    const rows = this.#prepare(
      'SELECT key, value, expires_at FROM ephemeral WHERE namespace = ? AND expires_at > ? ORDER BY key',
    ).all(namespace, this.#now()) as { key: string; value: string; expires_at: number }[];
    return rows.map((r) => ({ key: r.key, value: r.value, expiresAt: r.expires_at }));
  }
}
