import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { RequestFilter, RequestLogRepository, RequestPage, RequestRecord } from '../request-log.ts';

/** The request log in the embedded store: one row per request, its filters in indexed columns. */
export class SqliteRequestLog implements RequestLogRepository {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO requests (at, host, path, status, ip, user, route, tunnel, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async append(records: readonly RequestRecord[], _keep: number): Promise<void> {
    // The count is kept by prune: a table has no cap of its own.
    if (records.length === 0) return;
    this.#db.exec('BEGIN');
    try {
      for (const r of records)
        this.#insert.run(
          Date.parse(r.at),
          r.host,
          r.path,
          r.status,
          r.ip,
          r.user,
          r.route,
          r.tunnel,
          JSON.stringify(r),
        );
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async page(filter: RequestFilter, limit: number, cursor?: string): Promise<RequestPage> {
    const { where, args } = whereOf(filter);
    const after = cursor === undefined ? Number.NaN : Number.parseInt(cursor, 36);
    if (Number.isFinite(after)) {
      where.push('seq < ?');
      args.push(after);
    }
    const rows = this.#db
      .prepare(`SELECT seq, data FROM requests ${clause(where)} ORDER BY seq DESC LIMIT ?`)
      .all(...args, limit + 1) as { seq: number; data: string }[];
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    return {
      records: shown.map((r) => JSON.parse(r.data) as RequestRecord),
      next: more ? shown.at(-1)!.seq.toString(36) : null,
    };
  }

  async window(filter: RequestFilter, max: number): Promise<RequestRecord[]> {
    const { where, args } = whereOf(filter);
    const rows = this.#db
      .prepare(`SELECT data FROM requests ${clause(where)} ORDER BY seq DESC LIMIT ?`)
      .all(...args, max) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as RequestRecord);
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
