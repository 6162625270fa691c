import type { RequestFilter, RequestRecord } from '../store/request-log.ts';
import { AdminError } from './errors.ts';

/** The windows analytics cover, by name. */
export const ANALYTICS_WINDOWS: Readonly<Record<string, number>> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

/** Buckets in an analytics time series. */
const BUCKETS = 60;
/** Entries in a top list. */
const TOP = 10;

const invalid = (field: string, message: string) => new AdminError('VALIDATION_FAILED', message, { field });

/** A time given as ISO 8601, as ms. */
function timeOf(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  // Date.parse reads almost anything ('12' is a year): only ISO 8601 dates are taken.
  const ms = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(field, `${field} must be an ISO 8601 time, e.g. 2026-12-07T12:00:00Z`);
  return ms;
}

/** A status filter: a class (`4xx`) or one status (`404`). */
function statusOf(value: string | undefined): RequestFilter['status'] {
  if (value === undefined || value === '') return undefined;
  const cls = /^([1-5])xx$/i.exec(value);
  if (cls) return { min: Number(cls[1]) * 100, max: Number(cls[1]) * 100 + 99 };
  if (/^[1-5]\d\d$/.test(value)) return { min: Number(value), max: Number(value) };
  throw invalid('status', 'status must be a class (2xx, 3xx, 4xx, 5xx) or a status code such as 404');
}

/** The filter a query string asks for (`host`, `route`, `tunnel`, `status`, `path`, `ip`, `user`, `since`, `until`). */
export function requestFilterOf(query: Readonly<Record<string, string | undefined>>): RequestFilter {
  const text = (name: string) => {
    const value = query[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const host = text('host')?.toLowerCase();
  const since = timeOf('since', query['since']);
  const until = timeOf('until', query['until']);
  if (since !== undefined && until !== undefined && since >= until)
    throw invalid('until', 'until must be later than since: the range would hold nothing');
  return {
    ...(host ? { host } : {}),
    ...optional('route', text('route')),
    ...optional('tunnel', text('tunnel')?.toLowerCase()),
    ...optional('status', statusOf(query['status'])),
    ...optional('path', text('path')),
    ...optional('ip', text('ip')),
    ...optional('user', text('user')),
    ...optional('since', since),
    ...optional('until', until),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The window an analytics query names (default `1h`). */
export function windowOf(value: string | undefined): { name: string; ms: number } {
  const name = value === undefined || value === '' ? '1h' : value;
  const ms = ANALYTICS_WINDOWS[name];
  if (ms === undefined)
    throw invalid('window', `window must be one of ${Object.keys(ANALYTICS_WINDOWS).join(', ')}`);
  return { name, ms };
}

/** The `p`-th percentile of sorted values (nearest rank), 0 for none. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sortedDurations = (records: readonly RequestRecord[]) =>
  records.map((r) => r.durationMs).sort((a, b) => a - b);

/** Counts by key, the largest first, at most {@link TOP}. */
function top<T>(
  records: readonly RequestRecord[],
  keyOf: (r: RequestRecord) => string | undefined,
  make: (key: string, count: number) => T,
): T[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = keyOf(r);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([key, count]) => make(key, count));
}

/** What analytics say of the records of a window `[from, to)`; an error is a 5xx answer. */
export function analyticsOf(
  records: readonly RequestRecord[],
  window: { name: string; ms: number },
  to: number,
) {
  const from = to - window.ms;
  const durations = sortedDurations(records);
  const status = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  let bytesIn = 0;
  let bytesOut = 0;
  const visitors = new Set<string>();
  const step = window.ms / BUCKETS;
  const buckets: RequestRecord[][] = Array.from({ length: BUCKETS }, () => []);
  for (const r of records) {
    const cls = `${Math.floor(r.status / 100)}xx`;
    if (cls in status) status[cls as keyof typeof status]++;
    bytesIn += r.bytesIn;
    bytesOut += r.bytesOut;
    visitors.add(r.ip);
    const index = Math.floor((Date.parse(r.at) - from) / step);
    if (index >= 0 && index < BUCKETS) buckets[index]!.push(r);
  }
  return {
    window: window.name,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    total: records.length,
    ratePerSecond: Math.round((records.length / (window.ms / 1000)) * 1000) / 1000,
    status,
    latencyMs: {
      p50: percentile(durations, 50),
      p95: percentile(durations, 95),
      p99: percentile(durations, 99),
    },
    bytesIn,
    bytesOut,
    uniqueVisitors: visitors.size,
    topPaths: top(
      records,
      (r) => r.path,
      (path, count) => ({ path, count }),
    ),
    topErrors: top(
      records,
      (r) => (r.status >= 400 ? `${r.status} ${r.error ?? ''}` : undefined),
      (key, count) => {
        const [code, error] = [key.slice(0, 3), key.slice(4)];
        return { status: Number(code), error: error === '' ? null : error, count };
      },
    ),
    series: buckets.map((bucket, i) => {
      const sorted = sortedDurations(bucket);
      return {
        at: new Date(from + i * step).toISOString(),
        requests: bucket.length,
        errors: bucket.filter((r) => r.status >= 500).length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        bytesIn: bucket.reduce((sum, r) => sum + r.bytesIn, 0),
        bytesOut: bucket.reduce((sum, r) => sum + r.bytesOut, 0),
      };
    }),
  };
}

/** The analytics answer's shape. */
export type RequestAnalytics = ReturnType<typeof analyticsOf>;
