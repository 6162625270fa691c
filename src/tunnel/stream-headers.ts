import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import type { ClientInfo } from '../http/forwarded.ts';
import { endToEndHeaders } from '../http/hop-by-hop.ts';
import { planRequestHeaders } from '../http/request-header-plan.ts';

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
  const plan = planRequestHeaders(rawHeaders, client, trustForwarded);
  const out: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (plan.stops(name)) continue;
    const value = rawHeaders[i + 1]!;
    const prior = out[name];
    out[name] = prior === undefined ? value : `${prior}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  for (const [name, value] of plan.forwarding) out[name] = value;
  return { ...out, ':method': method, ':path': path, ':authority': client.host, ':scheme': client.proto };
}

/** Response headers from an HTTP/2 stream, ready for an HTTP/1.1 response: pseudo and hop-by-hop fields dropped. */
export function responseHeadersFromStream(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  return endToEndHeaders(headers);
}
