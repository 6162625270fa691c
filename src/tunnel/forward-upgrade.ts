import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientInfo } from '../http/forwarded.ts';
import { writeRawResponse } from '../http/raw-response.ts';
import type { RequestTarget } from '../http/request-target.ts';
import { REQUEST_ID_HEADER, UPGRADE_HEADER } from './protocol.ts';
import { tunnelRequestHeaders } from './stream-headers.ts';
import type { TunnelSession } from './tunnel-session.ts';

/**
 * Sends an upgrade request (WebSocket) down the tunnel. The stream's headers describe the request;
 * once the agent accepts, the stream carries the raw bytes both ways, starting with the local
 * server's own answer (its 101, or a refusal), which the client reads as it is.
 */
export function forwardUpgradeThroughTunnel(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  session: TunnelSession,
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
  const headers = tunnelRequestHeaders(
    req.method ?? 'GET',
    target.path + target.search,
    req.rawHeaders,
    client,
    options.trustForwarded,
  );
  headers[UPGRADE_HEADER] = req.headers.upgrade ?? 'websocket';
  headers[REQUEST_ID_HEADER] = options.requestId;
  options.rewriteHeaders?.(headers as Record<string, string | string[] | undefined>);
  const stream = session.request(headers as Record<string, string>, { endStream: false });
  let done = false;
  const finish = (status: number) => {
    if (done) return;
    done = true;
    options.onDone(status);
  };
  stream.on('error', () => {});
  socket.on('error', () => stream.destroy());
  stream.once('response', (responseHeaders) => {
    const status = Number(responseHeaders[':status']);
    if (status !== 200) {
      writeRawResponse(
        socket,
        502,
        [['content-type', 'text/plain']],
        'The local server refused the connection.\n',
      );
      stream.close();
      finish(502);
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
