/** Headers that describe one connection and must not be forwarded (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** The set of header names (lower case) that stop at this hop, including those named in `Connection`. */
export function hopByHopNames(connectionHeader: string | string[] | undefined): Set<string> {
  if (connectionHeader === undefined) return HOP_BY_HOP;
  const names = new Set(HOP_BY_HOP);
  const values = Array.isArray(connectionHeader) ? connectionHeader : [connectionHeader];
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

/** The header record without hop-by-hop fields, HTTP/2 pseudo-headers or empty values. */
export function endToEndHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const drop = hopByHopNames(headers['connection']);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || drop.has(name)) continue;
    out[name] = value;
  }
  return out;
}
