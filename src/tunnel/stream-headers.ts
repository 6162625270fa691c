import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { type ClientInfo, forwardingHeaders } from '../edge/forwarded.ts';
import { hopByHopNames } from '../edge/hop-by-hop.ts';

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);

/**
 * HTTP/2 request headers for a public request sent down a tunnel: hop-by-hop headers dropped,
 * `Host` carried as `:authority`, forwarding headers set, repeated fields joined.
 */
export function tunnelRequestHeaders(
  method: string,
  path: string,
  rawHeaders: readonly string[],
  client: ClientInfo,
  trustForwarded: boolean,
): OutgoingHttpHeaders {
  const connection: string[] = [];
  const incoming: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name === 'connection') connection.push(rawHeaders[i + 1]!);
    if (FORWARDING.has(name))
      incoming[name] = incoming[name] ? `${incoming[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1]!;
  }
  const drop = hopByHopNames(connection.length > 0 ? connection : undefined);
  const out: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (drop.has(name) || FORWARDING.has(name) || name === 'host' || name === 'expect') continue;
    const value = rawHeaders[i + 1]!;
    const prior = out[name];
    out[name] = prior === undefined ? value : `${prior}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  const forwarded = forwardingHeaders(
    client,
    {
      xForwardedFor: incoming['x-forwarded-for'],
      xForwardedProto: incoming['x-forwarded-proto'],
      xForwardedHost: incoming['x-forwarded-host'],
      forwarded: incoming['forwarded'],
    },
    trustForwarded,
  );
  for (const [name, value] of forwarded) out[name] = value;
  return { ...out, ':method': method, ':path': path, ':authority': client.host, ':scheme': client.proto };
}

/** Response headers from an HTTP/2 stream, ready for an HTTP/1.1 response: pseudo and hop-by-hop fields dropped. */
export function responseHeadersFromStream(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const drop = hopByHopNames(headers['connection']);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || drop.has(name)) continue;
    out[name] = value as string | string[];
  }
  return out;
}
