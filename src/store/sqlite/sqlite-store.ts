import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Route } from '../../routes/route.ts';
import { type Clock, systemClock } from '../../util/clock.ts';
import { ChangeFeed } from '../change-feed.ts';
import { StoreError } from '../errors.ts';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  ChangeEvent,
  EphemeralRepository,
  RouteRepository,
  Store,
  TunnelRepository,
} from '../types.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { SqliteEphemeral } from './sqlite-ephemeral.ts';
import { SqliteTunnels } from './sqlite-tunnels.ts';

/** Embedded store in one SQLite file under the data directory (`:memory:` for a throwaway one). */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly routes: RouteRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tunnels: TunnelRepository;
  readonly ephemeral: EphemeralRepository;
  readonly #db: DatabaseSync;
  readonly #feed = new ChangeFeed();

  /** Opens (creating if needed) `<dataDir>/gatehouse.db` and migrates it. */
  static open(dataDir: string, clock: Clock = systemClock): SqliteStore {
    if (dataDir === ':memory:') return new SqliteStore(new DatabaseSync(':memory:'), clock);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return new SqliteStore(new DatabaseSync(join(dataDir, 'gatehouse.db')), clock);
  }

  private constructor(db: DatabaseSync, clock: Clock) {
    this.#db = db;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    migrate(db);
    const notify = (topic: ChangeEvent['topic']) => this.#feed.emit({ topic });
    this.routes = new SqliteRoutes(db, () => notify('routes'));
    this.apiKeys = new SqliteApiKeys(db, () => notify('apiKeys'));
    this.tunnels = new SqliteTunnels(db, () => notify('tunnels'));
    this.ephemeral = new SqliteEphemeral(db, clock);
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  async ping(): Promise<void> {
    if (!this.#db.isOpen) throw new StoreError('STORE_UNAVAILABLE', 'the SQLite database is closed');
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

function migrate(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  if (current > SQLITE_MIGRATIONS.length) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `the database has schema version ${current} but this Gatehouse knows only up to ${SQLITE_MIGRATIONS.length}; upgrade Gatehouse`,
    );
  }
  for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
    db.exec('BEGIN');
    try {
      db.exec(SQLITE_MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/.test(error.message);
}

class SqliteRoutes implements RouteRepository {
  private readonly db: DatabaseSync;
  private readonly changed: () => void;

  constructor(db: DatabaseSync, changed: () => void) {
    this.db = db;
    this.changed = changed;
  }

  async list(): Promise<Route[]> {
    const rows = this.db.prepare('SELECT data FROM routes ORDER BY created_at, id').all() as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as Route);
  }

  async get(id: string): Promise<Route | undefined> {
    const row = this.db.prepare('SELECT data FROM routes WHERE id = ?').get(id) as
      | { data: string }
      | undefined;
    return row ? (JSON.parse(row.data) as Route) : undefined;
  }

  async insert(route: Route): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO routes (id, created_at, data) VALUES (?, ?, ?)')
        .run(route.id, route.createdAt, JSON.stringify(route));
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreError('STORE_CONFLICT', `route ${route.id} exists`);
      throw error;
    }
    this.changed();
  }

  async replace(route: Route): Promise<boolean> {
    const result = this.db
      .prepare('UPDATE routes SET data = ? WHERE id = ?')
      .run(JSON.stringify(route), route.id);
    if (result.changes === 0) return false;
    this.changed();
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const result = this.db.prepare('DELETE FROM routes WHERE id = ?').run(id);
    if (result.changes === 0) return false;
    this.changed();
    return true;
  }
}

class SqliteApiKeys implements ApiKeyRepository {
  private readonly db: DatabaseSync;
  private readonly changed: () => void;

  constructor(db: DatabaseSync, changed: () => void) {
    this.db = db;
    this.changed = changed;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = this.db.prepare('SELECT data FROM api_keys ORDER BY created_at, id').all() as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as ApiKeyRecord);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT data FROM api_keys WHERE id = ?').get(id) as
      | { data: string }
      | undefined;
    return row ? (JSON.parse(row.data) as ApiKeyRecord) : undefined;
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT data FROM api_keys WHERE hash = ?').get(hash) as
      | { data: string }
      | undefined;
    return row ? (JSON.parse(row.data) as ApiKeyRecord) : undefined;
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO api_keys (id, hash, created_at, revoked_at, data) VALUES (?, ?, ?, ?, ?)')
        .run(key.id, key.hash, key.createdAt, key.revokedAt ?? null, JSON.stringify(key));
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreError('STORE_CONFLICT', `API key ${key.id} exists`);
      throw error;
    }
    this.changed();
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const key = await this.get(id);
    if (!key || key.revokedAt) return false;
    const revoked: ApiKeyRecord = { ...key, revokedAt: at };
    this.db
      .prepare('UPDATE api_keys SET revoked_at = ?, data = ? WHERE id = ? AND revoked_at IS NULL')
      .run(at, JSON.stringify(revoked), id);
    this.changed();
    return true;
  }
}
