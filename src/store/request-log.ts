import type { AnsweredRequest } from '../core/answered-request.ts';

/** One request the edge answered, as the request log keeps it: its id, and its arrival as ISO. */
export type RequestRecord = Omit<AnsweredRequest, 'startedAt'> & {
  /** Unique and sortable by time. */
  readonly id: string;
  /** When the request arrived (ISO). */
  readonly at: string;
};

/** A request as the edge reports it. */
export type RequestEntry = AnsweredRequest;

/** A request on its way to the store: the id the recorder gave it, and what the edge reported. */
export interface PendingRequest {
  readonly id: string;
  readonly entry: RequestEntry;
}

/** The record of a pending request, as queries and the live feed give it. */
export function recordOf({ id, entry }: PendingRequest): RequestRecord {
  return {
    id,
    at: new Date(entry.startedAt).toISOString(),
    method: entry.method,
    host: entry.host,
    path: entry.path,
    status: entry.status,
    durationMs: entry.durationMs,
    bytesIn: entry.bytesIn,
    bytesOut: entry.bytesOut,
    ip: entry.ip,
    user: entry.user,
    route: entry.route,
    tunnel: entry.tunnel,
    userAgent: entry.userAgent,
    error: entry.error,
  };
}

/** Which records a query wants; every field given must match. */
export interface RequestFilter {
  readonly host?: string | undefined;
  readonly route?: string | undefined;
  readonly tunnel?: string | undefined;
  /** Statuses from `min` to `max`, both included (`4xx` is 400..499). */
  readonly status?: { readonly min: number; readonly max: number } | undefined;
  /** A prefix of the path. */
  readonly path?: string | undefined;
  readonly ip?: string | undefined;
  readonly user?: string | undefined;
  /** ms since the epoch, included. */
  readonly since?: number | undefined;
  /** ms since the epoch, excluded. */
  readonly until?: number | undefined;
}

/** One page of a listing, newest first, and the cursor of the next (null at the end). */
export interface RequestPage {
  readonly records: RequestRecord[];
  readonly next: string | null;
}

/** Persistence of request records: appended in batches, read newest first, trimmed by age and count. */
export interface RequestLogRepository {
  /** Stores requests in the order given (oldest first); a capped backend keeps roughly the newest `keep`. */
  append(requests: readonly PendingRequest[], keep: number): Promise<void>;
  /** Matching records newest first, at most `limit`, after the opaque `cursor` of a previous page. */
  page(filter: RequestFilter, limit: number, cursor?: string): Promise<RequestPage>;
  /** Matching records in `[since, until)` newest first, at most `max` (for analytics). */
  window(filter: RequestFilter, max: number): Promise<RequestRecord[]>;
  /** Deletes records older than `before` (ms) and all but the newest `keep`; resolves with how many went. */
  prune(before: number, keep: number): Promise<number>;
  /** How many records are kept. */
  count(): Promise<number>;
}

/** Whether a record matches a filter: what both backends apply to what their indexes cannot. */
export function matchesRequest(r: RequestRecord, f: RequestFilter): boolean {
  if (f.host !== undefined && r.host !== f.host) return false;
  if (f.route !== undefined && r.route !== f.route) return false;
  if (f.tunnel !== undefined && r.tunnel !== f.tunnel) return false;
  if (f.status && (r.status < f.status.min || r.status > f.status.max)) return false;
  if (f.path !== undefined && !r.path.startsWith(f.path)) return false;
  if (f.ip !== undefined && r.ip !== f.ip) return false;
  if (f.user !== undefined && r.user !== f.user) return false;
  const at = Date.parse(r.at);
  if (f.since !== undefined && at < f.since) return false;
  if (f.until !== undefined && at >= f.until) return false;
  return true;
}
