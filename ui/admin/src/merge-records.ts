import type { RequestRecord } from './types.ts';

/** `shown` with the `incoming` records it lacks, newest first, each once (by id). */
export function merged(shown: readonly RequestRecord[], incoming: readonly RequestRecord[]): RequestRecord[] {
  const ids = new Set(shown.map((r) => r.id));
  const added = incoming.filter((r) => !ids.has(r.id) && ids.add(r.id));
  if (added.length === 0) return shown as RequestRecord[];
  return [...added, ...shown].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/**
 * Where reading what a dropped stream missed starts: the newest record held (read again, and
 * merged away), or the filter's own `since` when that is later.
 */
export function catchUpSince(newest: string, asked: string | undefined): string {
  return asked && Date.parse(asked) > Date.parse(newest) ? asked : newest;
}
