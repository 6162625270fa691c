import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';

/** Where a pinned agent connects, whatever DNS would say for the host name it speaks to. */
export interface PinnedAddress {
  /** The host name of the URL: sent as SNI and checked against the server's certificate. */
  readonly servername: string;
  /** The IP address to connect to, checked or chosen beforehand. */
  readonly address: string;
  /** Extra CAs to trust (tests, private deployments). */
  readonly ca?: string | Buffer | undefined;
}

/**
 * An undici Agent whose connections all go to one address. Resolving once, checking the address,
 * then connecting only there is what keeps a rebinding DNS answer from turning a request inward.
 */
export function pinnedAgent(pin: PinnedAddress): Agent {
  const family = isIP(pin.address) === 6 ? 6 : 4;
  const lookup = (
    _hostname: string,
    options: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    if (options.all) callback(null, [{ address: pin.address, family }]);
    else callback(null, pin.address, family);
  };
  return new Agent({
    connect: { servername: pin.servername, lookup, ...(pin.ca ? { ca: pin.ca } : {}) },
  });
}
