import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type {
  PendingRequest,
  RequestFilter,
  RequestLogRepository,
  RequestPage,
  RequestRecord,
} from '../request-log.ts';
import type { RequestLogWriter } from './request-log-writer.ts';
import { REQUEST_COLUMNS as COLUMNS, INSERT_REQUEST, insertRows, rowValuesOf } from './request-rows.ts';

/**
 * The request log in the embedded store: one row per request, newest read first by `seq`; time is
 * indexed (windows, `since`, retention by age), other filters are checked as rows are read.
 * Batches go to the `writer`'s thread when there is one (a database file) and it takes them; the
 * rest, and all of a `:memory:` database's (which another thread cannot open), are inserted here.
 */
export class SqliteRequestLog implements RequestLogRepository {
  readonly #db: DatabaseSync;
  readonly #writer: RequestLogWriter | undefined;
  #insert: StatementSync | undefined;

  constructor(db: DatabaseSync, writer?: RequestLogWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  async append(requests: readonly PendingRequest[], _keep: number): Promise<void> {
    // The count is kept by prune: a table has no cap of its own.
    if (requests.length === 0) return;
    const values = rowValuesOf(requests);
    const sent = this.#writer?.take(values);
    if (sent) return sent;
    this.#insert ??= this.#db.prepare(INSERT_REQUEST);
    insertRows(this.#db, this.#insert, values);
  }

  async page(filter: RequestFilter, limit: number, cursor?: string): Promise<RequestPage> {
    const { where, args } = whereOf(filter);
    const after = cursor === undefined ? Number.NaN : Number.parseInt(cursor, 36);
    if (Number.isFinite(after)) {
      where.push('seq < ?');
      args.push(after);
    }
    const rows = this.#db
      .prepare(`SELECT seq, ${COLUMNS} FROM requests ${clause(where)} ORDER BY seq DESC LIMIT ?`)
      .all(...args, limit + 1) as unknown as (Row & { seq: number })[];
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    return {
      records: shown.map(fromRow),
      next: more ? shown.at(-1)!.seq.toString(36) : null,
    };
  }

  async window(filter: RequestFilter, max: number): Promise<RequestRecord[]> {
    const { where, args } = whereOf(filter);
    const rows = this.#db
      .prepare(`SELECT ${COLUMNS} FROM requests ${clause(where)} ORDER BY seq DESC LIMIT ?`)
      .all(...args, max) as unknown as Row[];
    return rows.map(fromRow);
  }

  async prune(before: number, keep: number): Promise<number> {
    const old = this.#db.prepare('DELETE FROM requests WHERE at < ?').run(before);
    const beyond = this.#db
      .prepare(
        'DELETE FROM requests WHERE seq <= (SELECT seq FROM requests ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      )
      .run(keep);
    return Number(old.changes) + Number(beyond.changes);
  }

  async count(): Promise<number> {
    return (this.#db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n;
  }
}

/** A row as SQLite gives it back. */
interface Row {
  readonly id: string;
  readonly at: number;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly status: number;
  readonly duration_ms: number;
  readonly bytes_in: number;
  readonly bytes_out: number;
  readonly ip: string;
  readonly user: string | null;
  readonly route: string | null;
  readonly tunnel: string | null;
  readonly user_agent: string | null;
  readonly error: string | null;
}

function fromRow(r: Row): RequestRecord {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    method: r.method,
    host: r.host,
    path: r.path,
    status: r.status,
    durationMs: r.duration_ms,
    bytesIn: r.bytes_in,
    bytesOut: r.bytes_out,
    ip: r.ip,
    user: r.user,
    route: r.route,
    tunnel: r.tunnel,
    userAgent: r.user_agent,
    error: r.error,
  };
}

function clause(where: readonly string[]): string {
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

/** The conditions of a filter, on the indexed columns. */
function whereOf(f: RequestFilter): { where: string[]; args: SQLInputValue[] } {
  const where: string[] = [];
  const args: SQLInputValue[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    args.push(value);
  };
  eq('host', f.host);
  eq('route', f.route);
  eq('tunnel', f.tunnel);
  eq('ip', f.ip);
  eq('user', f.user);
  if (f.status) {
    where.push('status BETWEEN ? AND ?');
    args.push(f.status.min, f.status.max);
  }
  if (f.path !== undefined) {
    where.push('substr(path, 1, ?) = ?');
    args.push(f.path.length, f.path);
  }
  if (f.since !== undefined) {
    where.push('at >= ?');
    args.push(f.since);
  }
  if (f.until !== undefined) {
    where.push('at < ?');
    args.push(f.until);
  }
  return { where, args };
}
