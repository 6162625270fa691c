import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';

/** Where a pinned agent connects, whatever DNS would say for the host name it speaks to. */
export interface PinnedAddress {
  /** The host name of the URL: sent as SNI and checked against the server's certificate. */
  readonly servername: string;
  /** The IP address to connect to, checked or chosen beforehand. */
  readonly address: string;
  /** Other checked addresses of the name, tried after `address` when it does not answer. */
  readonly fallbacks?: readonly string[] | undefined;
  /** Extra CAs to trust (tests, private deployments). */
  readonly ca?: string | Buffer | undefined;
}

/**
 * An undici Agent whose connections all go to the addresses given, whatever DNS says later.
 * Resolving once, checking the addresses, then connecting only there is what keeps a rebinding
 * DNS answer from turning a request inward.
 */
export function pinnedAgent(pin: PinnedAddress): Agent {
  const family = (address: string) => (isIP(address) === 6 ? 6 : 4);
  const all = [pin.address, ...(pin.fallbacks ?? [])].map((address) => ({
    address,
    family: family(address),
  }));
  const lookup = (
    _hostname: string,
    options: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    if (options.all) callback(null, all);
    else callback(null, pin.address, family(pin.address));
  };
  // An IP literal is no server name (RFC 6066 section 3): sent as SNI, Node warns and servers refuse it.
  const named = isIP(pin.servername.replace(/^\[|\]$/g, '')) === 0;
  return new Agent({
    connect: { ...(named ? { servername: pin.servername } : {}), lookup, ...(pin.ca ? { ca: pin.ca } : {}) },
  });
}
