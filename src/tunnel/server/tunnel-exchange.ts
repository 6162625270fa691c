import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import { PROTOCOL_HEADER_PREFIX } from '../protocol/protocol.ts';
import { cancelStream, endedWhole } from '../protocol/stream-cut.ts';
import { responseHeadersFromStream } from './stream-headers.ts';

/** A request whose body is already in hand (a webhook delivery). */
export interface WholeRequest {
  readonly method: string;
  readonly pathAndQuery: string;
  readonly authority: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** An answer read whole. */
export interface WholeResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * Sends one whole request down a tunnel session and reads the whole answer, up to `capBytes`.
 * Rejects with `TUNNEL_STREAM_FAILED` when the agent does not answer in `timeoutMs`, cuts its
 * answer short, or answers with more than the cap: a cut answer passed on as whole would be worse
 * than none.
 */
export function exchangeWhole(
  session: Http2TunnelSession,
  name: string,
  req: WholeRequest,
  limits: { readonly capBytes: number; readonly timeoutMs: number },
): Promise<WholeResponse> {
  const { capBytes } = limits;
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(endToEndHeaders(req.headers)))
    if (key !== 'host' && !key.startsWith(PROTOCOL_HEADER_PREFIX)) headers[key] = value;
  const stream = session.request(
    {
      ...headers,
      ':method': req.method,
      ':path': req.pathAndQuery,
      ':authority': req.authority,
      ':scheme': 'https',
    },
    { endStream: req.body.length === 0 },
  );
  const h2 = stream.session;
  if (req.body.length > 0) stream.end(req.body);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => stream.close(), limits.timeoutMs);
    let status = 0;
    let responseHeaders: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let whole = false;
    stream.on('error', () => {});
    stream.once('end', () => {
      whole = size <= capBytes && endedWhole(stream, h2);
    });
    stream.once('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = responseHeadersFromStream(h);
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > capBytes) {
        whole = false;
        cancelStream(stream);
        return;
      }
      chunks.push(chunk);
    });
    stream.once('close', () => {
      clearTimeout(timer);
      if (status === 0) reject(new TunnelError('TUNNEL_STREAM_FAILED', `Tunnel ${name} did not answer.`));
      else if (!whole)
        reject(
          new TunnelError(
            'TUNNEL_STREAM_FAILED',
            size > capBytes
              ? `Tunnel ${name} answered with more than ${capBytes} bytes.`
              : `Tunnel ${name} cut its answer short.`,
          ),
        );
      else resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks) });
    });
  });
}
