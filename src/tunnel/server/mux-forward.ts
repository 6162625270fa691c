import { type ClientRequest, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientInfo } from '../../http/forwarded.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import { ClientGoneError, flushHeadersSoon } from '../../http/stream-response.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import { PROTOCOL_HEADER_PREFIX } from '../protocol/protocol.ts';
import type { TunnelRequestLimits } from './forward-request.ts';
import type { MuxTunnelSession } from './mux-tunnel-session.ts';
import { forwardedHeaders } from './stream-headers.ts';
import type { WholeRequest, WholeResponse } from './tunnel-exchange.ts';

/** What the agent's record says of a request whose body the client cut short. */
const UPLOAD_CUT = 'got an aborted request: the public request was cut short';

/** Options of {@link forwardOverMux}; the same as protocol 1's. */
export interface MuxForwardOptions {
  readonly trustForwarded: boolean;
  readonly limits: TunnelRequestLimits;
  readonly requestId: string;
  readonly onBytes?: (direction: 'in' | 'out', bytes: number) => void;
  readonly rewriteHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  readonly responseTap?: (headers: Record<string, string | string[]>) => Duplex | undefined;
}

/**
 * Request headers for the local server, as an HTTP/1.1 client sends them, read once from the raw
 * headers: hop-by-hop and `gatehouse-*` ones dropped, forwarding set, repeated fields joined, and
 * the `Host` the agent's local server expects. A body without a length goes chunked, so both ends
 * frame it the same way.
 */
export function localRequestHeaders(
  req: Pick<IncomingMessage, 'rawHeaders'>,
  client: ClientInfo,
  options: {
    readonly trustForwarded: boolean;
    readonly localHost: string | undefined;
    readonly hasBody: boolean;
  },
): Record<string, string> {
  const out = forwardedHeaders(req.rawHeaders, client, options.trustForwarded, {
    host: options.localHost ?? client.host,
  });
  if (options.hasBody && out['content-length'] === undefined) out['transfer-encoding'] = 'chunked';
  return out;
}

/** A request to the local server on a pooled stream of the tunnel. */
function localRequest(
  session: MuxTunnelSession,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
): ClientRequest {
  return request({ agent: session.httpAgent, method, path, headers, setHost: false });
}

/**
 * Sends one public request down a protocol-2 tunnel and streams the answer back, trailers
 * included. Nothing is retried: if the tunnel or the local server drops the connection first,
 * the client gets 502 at once; once the answer has begun, a cut reaches the client as a cut.
 */
export function forwardOverMux(
  req: IncomingMessage,
  res: ServerResponse,
  session: MuxTunnelSession,
  target: RequestTarget,
  client: ClientInfo,
  options: MuxForwardOptions,
): Promise<TunnelError | undefined> {
  const { limits } = options;
  const declared = Number(req.headers['content-length'] ?? 0);
  const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
  const headers = localRequestHeaders(req, client, {
    trustForwarded: options.trustForwarded,
    localHost: session.localHost,
    hasBody,
  });
  options.rewriteHeaders?.(headers);
  const method = req.method ?? 'GET';
  const path = target.path + target.search;
  const done = session.begin();

  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let stream: MuxStream | undefined;
    let received = 0;
    let sent = 0;
    /** The whole body arrived (its end, not `complete`: a body may come from another readable). */
    let uploaded = false;
    const settle = (error?: TunnelError, cut?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
      if (stream)
        session.responseEnded(stream, {
          status: error ? 502 : res.statusCode,
          bytesIn: received,
          bytesOut: sent,
          error: error?.message ?? cut,
        });
      resolve(error);
    };
    const local = localRequest(session, method, path, headers);
    local.on('socket', (socket) => {
      stream = socket as unknown as MuxStream;
      session.requestStarted(stream, options.requestId, method, path);
    });
    const startClock = () => {
      timer = setTimeout(() => {
        local.destroy();
        settle(
          new TunnelError(
            'TUNNEL_STREAM_FAILED',
            `The local server behind tunnel ${session.info.name} did not answer within ${limits.responseTimeoutMs} ms.`,
          ),
        );
      }, limits.responseTimeoutMs);
    };
    if (hasBody) {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        session.stats.bytesIn += chunk.length;
        options.onBytes?.('in', chunk.length);
        if (limits.maxBodyBytes > 0 && received > limits.maxBodyBytes) {
          req.unpipe(local);
          local.destroy();
          settle(
            new TunnelError(
              'TUNNEL_BODY_TOO_LARGE',
              `The request body is larger than this tunnel's limit of ${limits.maxBodyBytes} bytes.`,
            ),
          );
        }
      });
      req.once('end', () => {
        uploaded = true;
        startClock();
      });
      // A cut upload must reach the local server as a cut: the stream is reset, not ended.
      req.once('close', () => {
        if (uploaded) return;
        settle(undefined, UPLOAD_CUT);
        local.destroy();
      });
      req.pipe(local);
    } else {
      local.end();
      startClock();
    }
    res.once('close', () => {
      if (res.writableFinished) return;
      // Told before the stream is cut, so the agent's record says why.
      settle(undefined, hasBody && !uploaded ? UPLOAD_CUT : new ClientGoneError().message);
      local.destroy();
    });

    local.on('error', (error) => {
      if (settled) return;
      if (res.headersSent) {
        res.destroy();
        settle(undefined, error.message);
        return;
      }
      settle(
        new TunnelError(
          'TUNNEL_STREAM_FAILED',
          session.open
            ? `The agent for tunnel ${session.info.name} could not complete the request: ${error.message}.`
            : `Tunnel ${session.info.name} disconnected while the request was in flight; it was not retried.`,
        ),
      );
    });

    local.on('response', (answer) => {
      clearTimeout(timer);
      if (settled) {
        answer.resume();
        return;
      }
      const downstream = endToEndHeaders(answer.headers);
      const tap = options.responseTap?.(downstream);
      res.writeHead(answer.statusCode ?? 502, downstream);
      flushHeadersSoon(res);
      answer.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        session.stats.bytesOut += chunk.length;
        options.onBytes?.('out', chunk.length);
      });
      const body = tap ? answer.pipe(tap) : answer;
      body.pipe(res, { end: false });
      let whole = false;
      answer.once('end', () => {
        whole = answer.complete;
        if (whole && answer.rawTrailers.length > 0)
          res.addTrailers(endToEndHeaders(answer.trailers) as Record<string, string>);
      });
      body.once('end', () => {
        if (whole) res.end();
        else res.destroy();
        settle();
      });
      answer.once('close', () => {
        if (settled || answer.complete) return;
        // The answer had begun: cutting the connection is the only honest signal left.
        res.destroy();
        settle(undefined, 'the local server cut its answer short');
      });
    });
  });
}

/**
 * Sends one whole request down a protocol-2 tunnel and reads the whole answer, up to `capBytes`;
 * rejects with `TUNNEL_STREAM_FAILED` when the answer does not come in `timeoutMs`, is cut short,
 * or is larger than the cap.
 */
export function exchangeOverMux(
  session: MuxTunnelSession,
  name: string,
  whole: WholeRequest,
  limits: { readonly capBytes: number; readonly timeoutMs: number },
): Promise<WholeResponse> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(endToEndHeaders(whole.headers)))
    if (name !== 'host' && name !== 'content-length' && !name.startsWith(PROTOCOL_HEADER_PREFIX))
      headers[name] = value;
  headers['host'] = session.localHost ?? whole.authority;
  if (whole.body.length > 0) headers['content-length'] = String(whole.body.length);
  const done = session.begin();
  return new Promise((resolve, reject) => {
    const local = localRequest(session, whole.method, whole.pathAndQuery, headers);
    let stream: MuxStream | undefined;
    const fail = (message: string) => {
      if (stream) session.responseEnded(stream, { status: 502, bytesIn: whole.body.length, error: message });
      done();
      local.destroy();
      reject(new TunnelError('TUNNEL_STREAM_FAILED', message));
    };
    const timer = setTimeout(() => fail(`Tunnel ${name} did not answer.`), limits.timeoutMs);
    local.on('socket', (socket) => {
      stream = socket as unknown as MuxStream;
      session.requestStarted(stream, '', whole.method, whole.pathAndQuery);
    });
    local.on('error', () => {
      clearTimeout(timer);
      fail(`Tunnel ${name} did not answer.`);
    });
    local.on('response', (answer) => {
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.capBytes) {
          clearTimeout(timer);
          fail(`Tunnel ${name} answered with more than ${limits.capBytes} bytes.`);
          return;
        }
        chunks.push(chunk);
      });
      answer.once('end', () => {
        clearTimeout(timer);
        if (!answer.complete) {
          fail(`Tunnel ${name} cut its answer short.`);
          return;
        }
        if (stream)
          session.responseEnded(stream, {
            status: answer.statusCode ?? 502,
            bytesIn: whole.body.length,
            bytesOut: size,
          });
        done();
        resolve({
          status: answer.statusCode ?? 502,
          headers: endToEndHeaders(answer.headers),
          body: Buffer.concat(chunks),
        });
      });
      answer.once('close', () => {
        if (!answer.complete) {
          clearTimeout(timer);
          fail(`Tunnel ${name} cut its answer short.`);
        }
      });
    });
    local.end(whole.body);
  });
}
