import { type Agent, request } from 'undici';
import { endToEndHeaders } from '../http/hop-by-hop.ts';
import { pinnedAgent } from '../http/pinned-agent.ts';
import type { TunnelService } from '../tunnel/server/tunnel-service.ts';
import { RelayError } from './errors.ts';
import type { RelayTarget } from './registrations.ts';
import type { UrlRelayNetwork } from './relay-to-url.ts';
import { resolvePublicAddress } from './target-policy.ts';

/** A whole request, its body already read (webhooks are small and must be sent again as they came). */
export interface BufferedRequest {
  readonly method: string;
  readonly pathAndQuery: string;
  /** The public Host, for the tunnel's `:authority`. */
  readonly authority: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** A whole answer; the body is cut at the cap given. */
export interface BufferedResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** Sends a buffered request to a developer's target (a tunnel, or an https URL at its checked address). */
export async function deliver(
  target: RelayTarget,
  req: BufferedRequest,
  deps: { tunnels: TunnelService; network: UrlRelayNetwork; capBytes: number },
): Promise<BufferedResponse> {
  if (target.kind === 'tunnel') return deps.tunnels.exchange(target.name, req, deps.capBytes);
  const url = new URL(target.url);
  const { address } = await resolvePublicAddress(
    url.hostname,
    deps.network.resolve,
    deps.network.addressAllowed,
  );
  const dispatcher = pinnedAgent({ servername: url.hostname, address, ca: deps.network.ca });
  try {
    return await sendBuffered(
      `${url.origin}${url.pathname.replace(/\/+$/, '')}${req.pathAndQuery}`,
      { ...req.headers, host: url.host },
      req,
      dispatcher,
      deps.capBytes,
    );
  } finally {
    dispatcher.close().catch(() => {});
  }
}

/** Sends a buffered request to an http(s) URL and reads the answer up to `capBytes`. */
export async function sendBuffered(
  url: string,
  headers: Record<string, string | string[]> | string[],
  req: BufferedRequest,
  dispatcher: Agent | undefined,
  capBytes: number,
): Promise<BufferedResponse> {
  const res = await request(url, {
    method: req.method as 'POST',
    headers,
    body: req.body.length > 0 ? req.body : null,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    size += b.length;
    // A cut answer passed on as whole would be worse than none: over the cap is a failure.
    if (size > capBytes) {
      res.body.destroy();
      throw new RelayError('RELAY_ANSWER_TOO_LARGE', `the answer is larger than ${capBytes} bytes`);
    }
    chunks.push(b);
  }
  return { status: res.statusCode, headers: endToEndHeaders(res.headers), body: Buffer.concat(chunks) };
}
