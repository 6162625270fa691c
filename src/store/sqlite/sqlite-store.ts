import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Clock, systemClock } from '../../core/clock.ts';
import { ChangeFeed } from '../change-feed.ts';
import type { Collection, CollectionSpec } from '../collection.ts';
import { API_KEYS, ROUTES, TUNNELS } from '../entities.ts';
import { StoreError } from '../errors.ts';
import { apiKeyRepository, tunnelRepository } from '../repositories.ts';
import type { RequestLogRepository } from '../request-log.ts';
import type {
  ApiKeyRepository,
  ChangeEvent,
  EphemeralRepository,
  RouteRepository,
  Store,
  TunnelRepository,
} from '../types.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { RequestLogWriter } from './request-log-writer.ts';
import { SqliteCollection } from './sqlite-collection.ts';
import { SqliteEphemeral } from './sqlite-ephemeral.ts';
import { SqliteRequestLog } from './sqlite-request-log.ts';
import { SqliteTunnelEvents } from './sqlite-tunnel-events.ts';

/** Embedded store in one SQLite file under the data directory (`:memory:` for a throwaway one). */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly routes: RouteRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tunnels: TunnelRepository;
  readonly ephemeral: EphemeralRepository;
  readonly requests: RequestLogRepository;
  readonly #db: DatabaseSync;
  readonly #requestWriter: RequestLogWriter | undefined;
  readonly #feed = new ChangeFeed();

  /** Opens (creating if needed) `<dataDir>/gatehouse.db` and migrates it. */
  static open(dataDir: string, clock: Clock = systemClock): SqliteStore {
    if (dataDir === ':memory:') return new SqliteStore(new DatabaseSync(':memory:'), clock);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'gatehouse.db');
    return new SqliteStore(new DatabaseSync(file), clock, file);
  }

  private constructor(db: DatabaseSync, clock: Clock, file?: string) {
    this.#db = db;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    migrate(db);
    // The request log's batches (several a second under load) are inserted by a thread of its own
    // (RequestLogWriter), on a connection of its own that never waits for the disk to sync: the
    // inserts stay off the thread serving requests, and a record lost to a power cut costs little.
    // Its queries and retention run here on this connection, which sees a batch once committed
    // (WAL). Everything else keeps the safe setting. A `:memory:` database is this connection's
    // alone, so there the request log writes here.
    this.#requestWriter = file === undefined ? undefined : new RequestLogWriter(file);
    this.routes = this.collection(ROUTES);
    this.apiKeys = apiKeyRepository(this.collection(API_KEYS));
    this.tunnels = tunnelRepository(this.collection(TUNNELS), new SqliteTunnelEvents(db));
    this.ephemeral = new SqliteEphemeral(db, clock);
    this.requests = new SqliteRequestLog(db, this.#requestWriter);
  }

  collection<T>(spec: CollectionSpec<T>): Collection<T> {
    return new SqliteCollection(this.#db, spec, () => this.#feed.emit({ topic: spec.topic }));
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  async ping(): Promise<void> {
    if (!this.#db.isOpen) throw new StoreError('STORE_UNAVAILABLE', 'the SQLite database is closed');
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    // Batches already handed to the request log's thread are written before it stops.
    await this.#requestWriter?.close();
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
