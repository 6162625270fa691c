import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { endToEndHeaders } from '../http/hop-by-hop.ts';
import { pinnedAgent } from '../http/pinned-agent.ts';
import type { Resolve } from '../http/public-address.ts';
import { resolvePublicAddress } from './target-policy.ts';

/** How a URL target is reached: its resolver and the address policy (public only, by default). */
export interface UrlRelayNetwork {
  readonly resolve: Resolve;
  readonly addressAllowed: (address: string) => boolean;
  /** Extra CA certificates to trust (PEM), for targets with a private CA. */
  readonly ca?: string | Buffer | undefined;
}

/**
 * Sends a request to a registered https URL. The host is resolved once, every address checked,
 * and the connection made to the checked address (TLS still verifies the host name), so a
 * rebinding DNS answer cannot redirect it inside the network.
 */
export async function relayToUrl(
  req: IncomingMessage,
  res: ServerResponse,
  targetUrl: string,
  pathAndQuery: string,
  headers: Record<string, string | string[]>,
  network: UrlRelayNetwork,
  responseTap: (headers: Record<string, string | string[]>) => Duplex | undefined,
): Promise<void> {
  const url = new URL(targetUrl);
  const { address } = await resolvePublicAddress(url.hostname, network.resolve, network.addressAllowed);
  const dispatcher = pinnedAgent({ servername: url.hostname, address, ca: network.ca });
  try {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const base = url.pathname.replace(/\/+$/, '');
    const upstream = await request(`${url.origin}${base}${pathAndQuery}`, {
      method: req.method as 'GET',
      headers: { ...headers, host: url.host },
      body: hasBody ? req : null,
      dispatcher,
      headersTimeout: 60_000,
      bodyTimeout: 300_000,
    });
    const downstream = endToEndHeaders(upstream.headers);
    const tap = responseTap(downstream);
    res.writeHead(upstream.statusCode, downstream);
    await (tap ? pipeline(upstream.body, tap, res) : pipeline(upstream.body, res));
  } finally {
    dispatcher.close().catch(() => {});
  }
}
