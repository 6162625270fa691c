import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { PendingRequest } from '../request-log.ts';

/** The columns of a record, in the order they are written. */
export const REQUEST_COLUMNS =
  'id, at, method, host, path, status, duration_ms, bytes_in, bytes_out, ip, user, route, tunnel, user_agent, error';

/** How many values one request's row has: {@link rowValuesOf} lays rows end to end this wide. */
export const VALUES_PER_ROW = REQUEST_COLUMNS.split(', ').length;

/** The statement that inserts one row, its values in {@link REQUEST_COLUMNS} order. */
export const INSERT_REQUEST = `INSERT INTO requests (${REQUEST_COLUMNS}) VALUES (${Array(VALUES_PER_ROW)
  .fill('?')
  .join(', ')})`;

/**
 * The rows of a batch as one flat array, {@link VALUES_PER_ROW} values a row: one array of
 * strings, numbers and nulls is what another thread receives at least cost.
 */
export function rowValuesOf(requests: readonly PendingRequest[]): SQLInputValue[] {
  // Pushed, not preallocated: an array with holes is cloned key by key, a packed one densely.
  const values: SQLInputValue[] = [];
  for (const { id, entry: r } of requests)
    values.push(
      id,
      r.startedAt,
      r.method,
      r.host,
      r.path,
      r.status,
      r.durationMs,
      r.bytesIn,
      r.bytesOut,
      r.ip,
      r.user,
      r.route,
      r.tunnel,
      r.userAgent,
      r.error,
    );
  return values;
}

/** Inserts rows laid out as {@link rowValuesOf} makes them, all or none, in one transaction. */
export function insertRows(db: DatabaseSync, insert: StatementSync, values: readonly SQLInputValue[]): void {
  if (values.length === 0) return;
  db.exec('BEGIN');
  try {
    for (let i = 0; i < values.length; i += VALUES_PER_ROW)
      insert.run(...values.slice(i, i + VALUES_PER_ROW));
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
