import type { IncomingMessage } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http2';
import type { ClientInfo } from '../../http/forwarded.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import { planRequestHeaders } from '../../http/request-header-plan.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import { PROTOCOL_HEADER_PREFIX, REQUEST_ID_HEADER, UPGRADE_HEADER } from '../protocol/protocol.ts';

/** What the edge adds to a public request on its way down a tunnel. */
export interface TunnelRequestOptions {
  readonly trustForwarded: boolean;
  /** The edge's id for the request, shown by the agent's inspector. */
  readonly requestId: string;
  /** For an upgrade: the protocol the client asks for. */
  readonly upgrade?: string | undefined;
}

/**
 * A public request's headers as they travel on down a tunnel, read once from the raw headers:
 * hop-by-hop ones dropped, the protocol's own (`gatehouse-*`) stopped, forwarding headers set,
 * repeated fields joined. `into` may hold fields set first (a `Host`).
 */
export function forwardedHeaders(
  rawHeaders: readonly string[],
  client: ClientInfo,
  trustForwarded: boolean,
  into: Record<string, string> = {},
): Record<string, string> {
  const plan = planRequestHeaders(rawHeaders, client, trustForwarded);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (plan.stops(name) || name.startsWith(PROTOCOL_HEADER_PREFIX)) continue;
    const value = rawHeaders[i + 1]!;
    const prior = into[name];
    into[name] = prior === undefined ? value : `${prior}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  for (const [name, value] of plan.forwarding) into[name] = value;
  return into;
}

/**
 * (Protocol 1) HTTP/2 request headers for a public request sent down a tunnel: hop-by-hop headers dropped,
 * `Host` carried as `:authority`, forwarding headers set, repeated fields joined, and the
 * protocol's own headers set by the edge alone (a client's `gatehouse-*` headers stop here).
 */
export function tunnelRequestHeaders(
  req: Pick<IncomingMessage, 'method' | 'rawHeaders'>,
  target: RequestTarget,
  client: ClientInfo,
  options: TunnelRequestOptions,
): Record<string, string> {
  const out = forwardedHeaders(req.rawHeaders, client, options.trustForwarded);
  out[REQUEST_ID_HEADER] = options.requestId;
  if (options.upgrade !== undefined) out[UPGRADE_HEADER] = options.upgrade;
  return {
    ...out,
    ':method': req.method ?? 'GET',
    ':path': target.path + target.search,
    ':authority': client.host,
    ':scheme': client.proto,
  };
}

/** Response headers from an HTTP/2 stream, ready for an HTTP/1.1 response: pseudo and hop-by-hop fields dropped. */
export function responseHeadersFromStream(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  return endToEndHeaders(headers);
}
