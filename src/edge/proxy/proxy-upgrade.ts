import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { EdgeError } from '../../http/edge-error.ts';
import type { ClientInfo } from '../../http/forwarded.ts';
import { hopByHopNames } from '../../http/hop-by-hop.ts';
import { serializeHead, writeRawResponse } from '../../http/raw-response.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import type { UpstreamRoute } from '../../routes/route.ts';
import { classifyUpstreamError } from './classify-upstream-error.ts';
import { upstreamPath, upstreamRequestHeaders } from './upstream-headers.ts';

/**
 * Forwards an upgrade request (WebSocket and the like) and, once the upstream switches protocols,
 * splices the two sockets together. A refusal from upstream is relayed to the client as is.
 * `onDone` is called once with the status the client got, when the exchange ends.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  route: UpstreamRoute,
  target: RequestTarget,
  client: ClientInfo,
  options: { readonly trustForwarded: boolean; readonly onDone: (status: number, error?: EdgeError) => void },
): void {
  const url = new URL(route.target);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let finished = false;
  const done = (status: number, error?: EdgeError) => {
    if (finished) return;
    finished = true;
    options.onDone(status, error);
  };
  const upstreamReq = send({
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    method: req.method,
    path: upstreamPath(route, target.path, target.search),
    headers: upstreamRequestHeaders(req.rawHeaders, route, client, {
      trustForwarded: options.trustForwarded,
      upgrade: req.headers.upgrade ?? 'websocket',
    }),
    agent: false,
  });

  const timer = setTimeout(() => {
    upstreamReq.destroy(new EdgeError('UPSTREAM_TIMEOUT', 'upgrade timed out'));
  }, route.timeouts.responseMs);

  const fail = (error: unknown) => {
    clearTimeout(timer);
    const edgeError = classifyUpstreamError(error, route.timeouts);
    const status = edgeError.code === 'UPSTREAM_TIMEOUT' ? 504 : 502;
    writeRawResponse(
      socket,
      status,
      [['content-type', 'application/json']],
      JSON.stringify({ error: edgeError.code, message: edgeError.message }),
    );
    done(status, edgeError);
  };

  upstreamReq.on('error', fail);
  socket.on('error', () => upstreamReq.destroy());

  upstreamReq.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
    clearTimeout(timer);
    if (socket.destroyed) {
      upstreamSocket.destroy();
      return;
    }
    socket.write(
      serializeHead(101, upstreamRes.statusMessage ?? 'Switching Protocols', upstreamRes.rawHeaders),
    );
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    const closeBoth = () => {
      socket.destroy();
      upstreamSocket.destroy();
      done(101);
    };
    upstreamSocket.on('error', closeBoth).on('close', closeBoth);
    socket.on('error', closeBoth).on('close', closeBoth);
    upstreamSocket.pipe(socket);
    socket.pipe(upstreamSocket);
  });

  upstreamReq.on('response', (upstreamRes) => {
    // The upstream declined to switch: relay its answer and close.
    clearTimeout(timer);
    const drop = hopByHopNames(upstreamRes.headers.connection);
    const raw: string[] = [];
    for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
      const name = upstreamRes.rawHeaders[i]!;
      if (!drop.has(name.toLowerCase())) raw.push(name, upstreamRes.rawHeaders[i + 1]!);
    }
    if (upstreamRes.headers['content-length'] === undefined) raw.push('connection', 'close');
    socket.write(serializeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage ?? '', raw));
    upstreamRes.pipe(socket);
    upstreamRes.on('end', () => {
      socket.end();
      done(upstreamRes.statusCode ?? 502);
    });
  });

  upstreamReq.end();
}
