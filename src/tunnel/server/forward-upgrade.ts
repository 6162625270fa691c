import type { IncomingMessage } from 'node:http';
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { ClientInfo } from '../../http/forwarded.ts';
import { closingResponseHead, writeRawResponse } from '../../http/raw-response.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import { SWITCHED_HEADER } from '../protocol/protocol.ts';
import { cancelStream, endedWhole } from '../protocol/stream-cut.ts';
import { responseHeadersFromStream, tunnelRequestHeaders } from './stream-headers.ts';

/**
 * Sends an upgrade request (WebSocket) down the tunnel. The stream's headers describe the request.
 * If the local server switches protocols, the stream carries the raw bytes both ways, starting
 * with its 101; if it declines, the client gets its answer as an ordinary response and the
 * connection closes.
 */
export function forwardUpgradeThroughTunnel(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  session: Http2TunnelSession,
  target: RequestTarget,
  client: ClientInfo,
  options: {
    readonly trustForwarded: boolean;
    readonly requestId: string;
    readonly onDone: (status: number) => void;
    /** Last word on the request headers sent down the tunnel (the relay signs). */
    readonly rewriteHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  },
): void {
  const headers = tunnelRequestHeaders(req, target, client, {
    trustForwarded: options.trustForwarded,
    requestId: options.requestId,
    upgrade: req.headers.upgrade ?? 'websocket',
  });
  options.rewriteHeaders?.(headers);
  const stream = session.request(headers, { endStream: false });
  let done = false;
  const finish = (status: number) => {
    if (done) return;
    done = true;
    options.onDone(status);
  };
  stream.on('error', () => {});
  socket.on('error', () => cancelStream(stream));
  stream.once('response', (responseHeaders) => {
    if (responseHeaders[SWITCHED_HEADER] === undefined) {
      // The local server declined to switch: its answer goes to the client as an ordinary response,
      // then the connection closes. Nothing more is read from the client, so nothing it sends after
      // can reach the local server as a request the edge never saw.
      stream.end();
      finish(relayAnswer(stream, responseHeaders, socket));
      return;
    }
    if (head.length > 0) stream.write(head);
    stream.pipe(socket);
    socket.pipe(stream);
    const closeBoth = () => {
      stream.destroy();
      socket.destroy();
      finish(101);
    };
    stream.once('close', closeBoth);
    socket.once('close', closeBoth);
  });
  stream.once('close', () => {
    if (!done) {
      writeRawResponse(
        socket,
        502,
        [['content-type', 'text/plain']],
        `Tunnel ${session.info.name} dropped the connection.\n`,
      );
      finish(502);
    }
  });
}

/** Writes the stream's answer onto the client's socket as an HTTP/1.1 response, then closes it. */
function relayAnswer(stream: ClientHttp2Stream, headers: IncomingHttpHeaders, socket: Duplex): number {
  const status = Number(headers[':status']);
  socket.write(closingResponseHead(status, responseHeadersFromStream(headers)));
  stream.pipe(socket, { end: false });
  stream.once('end', () => {
    if (endedWhole(stream)) socket.end();
    else socket.destroy();
  });
  stream.once('close', () => {
    if (!stream.readableEnded) socket.destroy();
  });
  return status;
}
