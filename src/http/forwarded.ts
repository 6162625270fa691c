/** Facts about the client side of a request, as the edge saw them. */
export interface ClientInfo {
  /** The peer address of the connection. */
  readonly ip: string;
  /** `https` when the request arrived over TLS. */
  readonly proto: 'http' | 'https';
  /** The Host header as the client sent it. */
  readonly host: string;
}

/** The forwarding headers to send upstream, given any the client sent and whether to trust them. */
export function forwardingHeaders(
  client: ClientInfo,
  incoming: {
    readonly xForwardedFor?: string | undefined;
    readonly xForwardedProto?: string | undefined;
    readonly xForwardedHost?: string | undefined;
    readonly forwarded?: string | undefined;
  },
  trustIncoming: boolean,
): [string, string][] {
  const forwardedElement = `for=${forwardedNode(client.ip)};host=${quoteIfNeeded(client.host)};proto=${client.proto}`;
  if (!trustIncoming) {
    // At the public edge a client's own X-Forwarded-* claims are worth nothing: replace them.
    return [
      ['x-forwarded-for', client.ip],
      ['x-forwarded-proto', client.proto],
      ['x-forwarded-host', client.host],
      ['forwarded', forwardedElement],
    ];
  }
  return [
    ['x-forwarded-for', incoming.xForwardedFor ? `${incoming.xForwardedFor}, ${client.ip}` : client.ip],
    ['x-forwarded-proto', incoming.xForwardedProto ?? client.proto],
    ['x-forwarded-host', incoming.xForwardedHost ?? client.host],
    ['forwarded', incoming.forwarded ? `${incoming.forwarded}, ${forwardedElement}` : forwardedElement],
  ];
}

/** RFC 7239 node: IPv6 addresses are bracketed and quoted. */
function forwardedNode(ip: string): string {
  const bare = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return bare.includes(':') ? `"[${bare}]"` : bare;
}

function quoteIfNeeded(value: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The client's address without the IPv4-mapped IPv6 prefix. */
export function clientIp(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.')
    ? remoteAddress.slice(7)
    : remoteAddress;
}

/**
 * The scheme the client reached Gatehouse with: the connection's, or with `trustForwarded`
 * (`--trust-proxy`) the first `X-Forwarded-Proto` the proxy in front sent, when it is http(s).
 */
export function publicScheme(
  exchange: {
    readonly req: { readonly headers: Record<string, string | string[] | undefined> };
    readonly client: ClientInfo;
  },
  trustForwarded: boolean | undefined,
): 'http' | 'https' {
  if (trustForwarded) {
    const forwarded = String(exchange.req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim()
      .toLowerCase();
    if (forwarded === 'http' || forwarded === 'https') return forwarded;
  }
  return exchange.client.proto;
}
