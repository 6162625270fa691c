import type { RequestRecord } from '../store/request-log.ts';

/** A request record as `gatehouse logs` receives it from the admin API. */
export type LoggedRequest = RequestRecord;

/** Terminal colours by status class: 2xx green, 3xx cyan, 4xx yellow, 5xx red. */
const COLOURS: Readonly<Record<string, string>> = { '2': '32', '3': '36', '4': '33', '5': '31' };

/** A byte count as people read it (`512 B`, `1.2 kB`, `3.4 MB`). */
function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * One record as one line: time, status, method, host and path, duration, bytes out, client, what
 * answered, user and error code; the status coloured by class when `colour`.
 */
export function requestLine(r: LoggedRequest, colour: boolean): string {
  const status = String(r.status);
  const code = COLOURS[status[0] ?? ''];
  const shownStatus = colour && code ? `\x1b[${code}m${status}\x1b[0m` : status;
  const by = r.tunnel ? `tunnel:${r.tunnel}` : r.route ? `route:${r.route}` : '-';
  return [
    r.at,
    shownStatus,
    r.method.padEnd(6),
    `${r.host}${r.path}`,
    `${r.durationMs}ms`,
    bytes(r.bytesOut),
    r.ip,
    by,
    ...(r.user ? [`user:${r.user}`] : []),
    ...(r.error ? [r.error] : []),
  ].join('  ');
}
