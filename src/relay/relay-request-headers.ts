import type { IncomingMessage } from 'node:http';
import type { ClientInfo } from '../http/forwarded.ts';
import { endToEndHeaders } from '../http/hop-by-hop.ts';
import { planRequestHeaders } from '../http/request-header-plan.ts';
import { RELAY_HEADERS } from './relay-headers.ts';

/**
 * The headers a relayed request is sent on with: end-to-end headers only, the edge's forwarding
 * headers, and never a client's own copy of the relay's headers.
 */
export function relayRequestHeaders(
  req: IncomingMessage,
  client: ClientInfo,
  trustForwarded: boolean,
): Record<string, string | string[]> {
  const plan = planRequestHeaders(req.rawHeaders, client, trustForwarded);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(endToEndHeaders(req.headers))) {
    if (plan.stops(name) || (RELAY_HEADERS as readonly string[]).includes(name)) continue;
    out[name] = value;
  }
  for (const [name, value] of plan.forwarding) out[name] = value;
  return out;
}
