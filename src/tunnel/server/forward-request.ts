import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientInfo } from '../../http/forwarded.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import { flushHeadersSoon } from '../../http/stream-response.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import { cancelStream, endedWhole } from '../protocol/stream-cut.ts';
import type { TunnelSession } from '../protocol/tunnel-session.ts';
import { responseHeadersFromStream, tunnelRequestHeaders } from './stream-headers.ts';

/** Limits applied to each request through a tunnel. */
export interface TunnelRequestLimits {
  readonly maxConcurrentStreams: number;
  /** Largest request body in bytes; 0 for no limit. */
  readonly maxBodyBytes: number;
  /** How long a request may wait for response headers, in ms. */
  readonly responseTimeoutMs: number;
}

/**
 * Refuses a request the tunnel cannot take now (too many in flight) or at all (a declared body
 * over the limit), before anything is sent down it; undefined when it may go.
 */
export function admitRequest(
  req: IncomingMessage,
  session: TunnelSession,
  limits: TunnelRequestLimits,
): TunnelError | undefined {
  if (session.activeStreams >= limits.maxConcurrentStreams)
    return new TunnelError(
      'TUNNEL_LIMIT_REACHED',
      `Tunnel ${session.info.name} already has ${limits.maxConcurrentStreams} requests in flight.`,
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (limits.maxBodyBytes > 0 && declared > limits.maxBodyBytes)
    return new TunnelError(
      'TUNNEL_BODY_TOO_LARGE',
      `The request body is larger than this tunnel's limit of ${limits.maxBodyBytes} bytes.`,
    );
  return undefined;
}

/**
 * (Protocol 1) Sends one public request down the tunnel as an HTTP/2 stream and streams the answer back,
 * trailers included. Nothing is retried: if the tunnel drops, the client gets 502 at once.
 */
export function forwardThroughTunnel(
  req: IncomingMessage,
  res: ServerResponse,
  session: Http2TunnelSession,
  target: RequestTarget,
  client: ClientInfo,
  options: {
    readonly trustForwarded: boolean;
    readonly limits: TunnelRequestLimits;
    readonly requestId: string;
    /** Told of every body chunk: `in` towards the agent, `out` back from it. */
    readonly onBytes?: (direction: 'in' | 'out', bytes: number) => void;
    /** Last word on the request headers sent down the tunnel (the relay adds its own). */
    readonly rewriteHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
    /** A stream the response body passes through on its way to the client (the relay learns states). */
    readonly responseTap?: (headers: Record<string, string | string[]>) => Duplex | undefined;
  },
): Promise<TunnelError | undefined> {
  const { limits } = options;
  const declared = Number(req.headers['content-length'] ?? 0);
  const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
  const headers = tunnelRequestHeaders(req, target, client, {
    trustForwarded: options.trustForwarded,
    requestId: options.requestId,
  });
  options.rewriteHeaders?.(headers as Record<string, string | string[] | undefined>);

  return new Promise((resolve) => {
    let settled = false;
    const settle = (error?: TunnelError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(error);
    };
    const stream = session.request(headers, { endStream: !hasBody });
    const h2 = stream.session;
    // The response clock starts once the request is sent, so a long upload is not a timeout.
    let timer: NodeJS.Timeout | undefined;
    const startClock = () => {
      timer = setTimeout(() => {
        cancelStream(stream);
        settle(
          new TunnelError(
            'TUNNEL_STREAM_FAILED',
            `The local server behind tunnel ${session.info.name} did not answer within ${limits.responseTimeoutMs} ms.`,
          ),
        );
      }, limits.responseTimeoutMs);
    };
    if (hasBody) req.once('end', startClock);
    else startClock();

    if (hasBody) {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        session.stats.bytesIn += chunk.length;
        options.onBytes?.('in', chunk.length);
        if (limits.maxBodyBytes > 0 && received > limits.maxBodyBytes) {
          req.unpipe(stream);
          cancelStream(stream);
          settle(
            new TunnelError(
              'TUNNEL_BODY_TOO_LARGE',
              `The request body is larger than this tunnel's limit of ${limits.maxBodyBytes} bytes.`,
            ),
          );
        }
      });
      req.pipe(stream);
    }

    // A client gone mid-upload or mid-answer resets the stream: the agent must see a cut, not an end.
    res.once('close', () => {
      if (!res.writableFinished) cancelStream(stream);
    });

    stream.on('response', (responseHeaders) => {
      clearTimeout(timer);
      if (settled) return;
      const status = Number(responseHeaders[':status']);
      const downstream = responseHeadersFromStream(responseHeaders);
      const tap = options.responseTap?.(downstream);
      res.writeHead(status, downstream);
      flushHeadersSoon(res);
      stream.on('data', (chunk: Buffer) => {
        session.stats.bytesOut += chunk.length;
        options.onBytes?.('out', chunk.length);
      });
      const body = tap ? stream.pipe(tap) : stream;
      body.pipe(res, { end: false });
      stream.once('trailers', (trailers) => {
        res.addTrailers(responseHeadersFromStream(trailers) as Record<string, string>);
      });
      // Node ends a reset stream's body as if it were whole; a cut answer must reach the client as a cut.
      let whole = false;
      stream.once('end', () => {
        whole = endedWhole(stream, h2);
      });
      body.once('end', () => {
        if (whole) res.end();
        else res.destroy();
        settle();
      });
    });

    stream.once('close', () => {
      if (settled) return;
      if (res.headersSent) {
        // A body that ended (whole or cut) is still on its way through the tap; its end finishes the job.
        if (stream.readableEnded) return;
        // The answer had begun: cutting the connection is the only honest signal left.
        res.destroy();
        settle();
        return;
      }
      settle(
        new TunnelError(
          'TUNNEL_STREAM_FAILED',
          session.open
            ? `The agent for tunnel ${session.info.name} could not complete the request.`
            : `Tunnel ${session.info.name} disconnected while the request was in flight; it was not retried.`,
        ),
      );
    });
    stream.on('error', () => {});
  });
}
