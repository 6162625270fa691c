import { type LookupAddress, type LookupOptions, lookup as systemLookup } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Loopback, IPv4 first: what `localhost` and its subdomains mean (RFC 6761 §6.3). */
const LOOPBACK: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/** The name as DNS compares it: lower case, without a final dot. */
function canonical(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/** True for `localhost` and every name under it, which browsers resolve to loopback themselves. */
export function isLocalhostName(hostname: string): boolean {
  const name = canonical(hostname);
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * The one name lookup of every outbound connection the command line and the agent make, in the
 * shape `net.connect`'s `lookup` option takes: `localhost` and `*.localhost` are loopback without
 * asking anyone (Node asks the system resolver, which most often knows only `localhost` itself),
 * `*.invalid` never exists (RFC 6761 §6.4), and every other name is the system's to resolve.
 */
export function outboundLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  const name = canonical(hostname);
  if (isLocalhostName(name)) {
    const family =
      options.family === 6 || options.family === 'IPv6'
        ? 6
        : options.family === 4 || options.family === 'IPv4'
          ? 4
          : 0;
    const addresses = LOOPBACK.filter((a) => family === 0 || a.family === family);
    const [first] = addresses as [LookupAddress];
    process.nextTick(() =>
      options.all ? callback(null, [...addresses]) : callback(null, first.address, first.family),
    );
    return;
  }
  if (name === 'invalid' || name.endsWith('.invalid')) {
    const error: NodeJS.ErrnoException & { hostname?: string } = new Error(
      `getaddrinfo ENOTFOUND ${hostname}`,
    );
    Object.assign(error, { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
    process.nextTick(() => callback(error, ''));
    return;
  }
  systemLookup(hostname, options, callback);
}

/** An undici dispatcher whose connections resolve names with {@link outboundLookup}. */
export function outboundAgent(options: { readonly ca?: string | Buffer | undefined } = {}): Agent {
  return new Agent({ connect: { lookup: outboundLookup, ...(options.ca ? { ca: options.ca } : {}) } });
}

let shared: Agent | undefined;

/** `fetch` through one shared {@link outboundAgent}: for clients that take a fetch (Tesla's APIs). */
export const outboundFetch: typeof fetch = (input, init) => {
  shared ??= outboundAgent();
  return undiciFetch(input as never, { ...(init as object), dispatcher: shared } as never) as never;
};
