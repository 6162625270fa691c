import type { IncomingMessage } from 'node:http';

/**
 * Rewrites the request's headers in place before its handler reads them: drops those `drop`
 * names (lower-case) and appends `add`. Every handler (proxy, relay, tunnel, upgrades) builds what
 * it sends upstream from `rawHeaders` or `headers`, so doing it here covers them all at once.
 * `Connection` loses every token naming a header dropped or added here: handlers remove the
 * headers `Connection` names, and a client naming `X-Auth-User` there would strip the identity
 * this adds. Returns whether anything changed.
 */
export function rewriteRequestHeaders(
  req: IncomingMessage,
  drop: (lowerName: string) => boolean,
  add: readonly (readonly [string, string])[] = [],
): boolean {
  const raw = req.rawHeaders;
  const added = new Set(add.map(([name]) => name.toLowerCase()));
  const named = (token: string) => drop(token) || added.has(token);
  let dropping = false;
  for (let i = 0; i < raw.length && !dropping; i += 2) {
    const name = raw[i]!.toLowerCase();
    dropping = drop(name) || (name === 'connection' && connectionTokens(raw[i + 1]!).some(named));
  }
  if (!dropping && add.length === 0) return false;
  // Node builds `headers` and `headersDistinct` from rawHeaders on first read, counting the raw
  // headers as they arrived: build them now, from the original list, and fix them below.
  const headers = req.headers;
  const distinct = req.headersDistinct;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (drop(name)) continue;
    if (name !== 'connection') kept.push(raw[i]!, raw[i + 1]!);
    else {
      const tokens = connectionTokens(raw[i + 1]!).filter((t) => !named(t));
      if (tokens.length > 0) kept.push(raw[i]!, tokens.join(', '));
    }
  }
  for (const [name, value] of add) kept.push(name, value);
  raw.length = 0;
  raw.push(...kept);
  for (const name of Object.keys(headers)) if (drop(name)) delete headers[name];
  for (const name of Object.keys(distinct)) if (drop(name)) delete distinct[name];
  const connection = kept.flatMap((v, i) =>
    i % 2 === 0 && v.toLowerCase() === 'connection' ? [kept[i + 1]!] : [],
  );
  if (connection.length > 0) {
    headers.connection = connection.join(', ');
    distinct['connection'] = connection;
  } else {
    delete headers.connection;
    delete distinct['connection'];
  }
  for (const [name, value] of add) {
    headers[name.toLowerCase()] = value;
    distinct[name.toLowerCase()] = [value];
  }
  return true;
}

/** The header names a `Connection` value lists, lower-case. */
function connectionTokens(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}
