import { type ClientInfo, forwardingHeaders } from './forwarded.ts';
import { hopByHopNames } from './hop-by-hop.ts';

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);

/** What to do with a client's request headers before they travel on, by the proxy or a tunnel. */
export interface RequestHeaderPlan {
  /** True for a header that stops here: hop-by-hop, named in `Connection`, forwarding, Host, Expect, X-Relay-*. */
  readonly stops: (lowerName: string) => boolean;
  /** The forwarding headers to send instead of the client's. */
  readonly forwarding: [string, string][];
}

/** Reads the raw headers once and decides which stop here and which forwarding headers replace them. */
export function planRequestHeaders(
  rawHeaders: readonly string[],
  client: ClientInfo,
  trustForwarded: boolean,
): RequestHeaderPlan {
  const connection: string[] = [];
  const incoming: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'connection') connection.push(value);
    if (FORWARDING.has(name)) incoming[name] = incoming[name] ? `${incoming[name]}, ${value}` : value;
  }
  const drop = hopByHopNames(connection.length > 0 ? connection : undefined);
  return {
    stops: (name) => {
      // CGI-style servers read `X_Forwarded_For` as `X-Forwarded-For`: both spellings stop here.
      const cgi = name.replaceAll('_', '-');
      return (
        drop.has(name) ||
        FORWARDING.has(cgi) ||
        cgi === 'host' ||
        name === 'expect' ||
        // Only the relay sets these, signed; a client's copy would pose as a relayed request.
        cgi.startsWith('x-relay-')
      );
    },
    forwarding: forwardingHeaders(
      client,
      {
        xForwardedFor: incoming['x-forwarded-for'],
        xForwardedProto: incoming['x-forwarded-proto'],
        xForwardedHost: incoming['x-forwarded-host'],
        forwarded: incoming['forwarded'],
      },
      trustForwarded,
    ),
  };
}
