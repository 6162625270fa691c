import type { IncomingMessage } from 'node:http';

/**
 * Rewrites the request's headers in place before its handler reads them: drops those `drop`
 * names (lower-case) and appends `add`. Every handler (proxy, relay, tunnel, upgrades) builds what
 * it sends upstream from `rawHeaders` or `headers`, so doing it here covers them all at once.
 * Returns whether anything changed.
 */
export function rewriteRequestHeaders(
  req: IncomingMessage,
  drop: (lowerName: string) => boolean,
  add: readonly (readonly [string, string])[] = [],
): boolean {
  const raw = req.rawHeaders;
  let dropping = false;
  for (let i = 0; i < raw.length && !dropping; i += 2) dropping = drop(raw[i]!.toLowerCase());
  if (!dropping && add.length === 0) return false;
  // Node builds `headers` and `headersDistinct` from rawHeaders on first read, counting the raw
  // headers as they arrived: build them now, from the original list, and fix them below.
  const headers = req.headers;
  const distinct = req.headersDistinct;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!drop(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  for (const [name, value] of add) kept.push(name, value);
  raw.length = 0;
  raw.push(...kept);
  for (const name of Object.keys(headers)) if (drop(name)) delete headers[name];
  for (const name of Object.keys(distinct)) if (drop(name)) delete distinct[name];
  for (const [name, value] of add) {
    headers[name.toLowerCase()] = value;
    distinct[name.toLowerCase()] = [value];
  }
  return true;
}
