import type { DatabaseSync } from 'node:sqlite';
import type { Collection, CollectionSpec } from '../collection.ts';
import { StoreError } from '../errors.ts';

/**
 * Any collection in the embedded store: records as JSON in `records`, unique keys in
 * `record_keys`. Writes that touch both run in one transaction.
 */
export class SqliteCollection<T> implements Collection<T> {
  readonly #db: DatabaseSync;
  readonly #spec: CollectionSpec<T>;
  readonly #changed: () => void;

  constructor(db: DatabaseSync, spec: CollectionSpec<T>, changed: () => void) {
    this.#db = db;
    this.#spec = spec;
    this.#changed = changed;
  }

  async list(): Promise<T[]> {
    const rows = this.#db.prepare('SELECT data FROM records WHERE collection = ?').all(this.#spec.name) as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as T).sort(this.#spec.order);
  }

  async get(key: string): Promise<T | undefined> {
    return this.#read(key);
  }

  async find(index: string, value: string): Promise<T | undefined> {
    const row = this.#db
      .prepare(
        'SELECT r.data FROM record_keys k JOIN records r ON r.collection = k.collection AND r.key = k.key ' +
          'WHERE k.collection = ? AND k.idx = ? AND k.value = ?',
      )
      .get(this.#spec.name, index, value) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  async insert(record: T): Promise<void> {
    const key = this.#spec.key(record);
    this.#transaction(() => {
      try {
        this.#db
          .prepare('INSERT INTO records (collection, key, data) VALUES (?, ?, ?)')
          .run(this.#spec.name, key, JSON.stringify(record));
        for (const [index, of] of Object.entries(this.#spec.unique ?? {})) {
          this.#db
            .prepare('INSERT INTO record_keys (collection, idx, value, key) VALUES (?, ?, ?, ?)')
            .run(this.#spec.name, index, of(record), key);
        }
      } catch (error) {
        if (error instanceof Error && /UNIQUE constraint failed/.test(error.message))
          throw new StoreError(
            'STORE_CONFLICT',
            `${this.#spec.name}: ${key} or one of its unique keys exists`,
          );
        throw error;
      }
    });
    this.#changed();
  }

  async replace(record: T): Promise<boolean> {
    const result = this.#db
      .prepare('UPDATE records SET data = ? WHERE collection = ? AND key = ?')
      .run(JSON.stringify(record), this.#spec.name, this.#spec.key(record));
    if (result.changes === 0) return false;
    this.#changed();
    return true;
  }

  async update(key: string, change: (current: T) => T | undefined): Promise<T | undefined> {
    // DatabaseSync is synchronous, so read, change and write cannot interleave with another
    // writer of this process; IMMEDIATE keeps other processes on the same file out meanwhile.
    const next = this.#transaction(() => {
      const current = this.#read(key);
      const changed = current === undefined ? undefined : change(current);
      if (changed === undefined) return undefined;
      this.#db
        .prepare('UPDATE records SET data = ? WHERE collection = ? AND key = ?')
        .run(JSON.stringify(changed), this.#spec.name, key);
      return changed;
    });
    if (next !== undefined) this.#changed();
    return next;
  }

  async delete(key: string): Promise<boolean> {
    const removed = this.#transaction(() => {
      this.#db.prepare('DELETE FROM record_keys WHERE collection = ? AND key = ?').run(this.#spec.name, key);
      return this.#db
        .prepare('DELETE FROM records WHERE collection = ? AND key = ?')
        .run(this.#spec.name, key).changes;
    });
    if (removed === 0) return false;
    this.#changed();
    return true;
  }

  #read(key: string): T | undefined {
    const row = this.#db
      .prepare('SELECT data FROM records WHERE collection = ? AND key = ?')
      .get(this.#spec.name, key) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  #transaction<R>(work: () => R): R {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}
