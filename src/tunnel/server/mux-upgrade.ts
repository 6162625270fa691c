import { type IncomingMessage, request } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientInfo } from '../../http/forwarded.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import { closingResponseHead, serializeHead, writeRawResponse } from '../../http/raw-response.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import { StreamKind } from '../protocol/mux-frames.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import { localRequestHeaders } from './mux-forward.ts';
import type { MuxTunnelSession } from './mux-tunnel-session.ts';

/**
 * Sends an upgrade request (WebSocket) down a protocol-2 tunnel on a stream of its own. If the
 * local server switches protocols, its 101 goes to the client and the stream carries the raw bytes
 * both ways; if it declines, the client gets its answer as an ordinary response and the connection
 * closes, so nothing the client sends afterwards reaches the local server unparsed.
 */
export function forwardUpgradeOverMux(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  session: MuxTunnelSession,
  target: RequestTarget,
  client: ClientInfo,
  options: {
    readonly trustForwarded: boolean;
    readonly requestId: string;
    readonly onDone: (status: number) => void;
    readonly rewriteHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  },
): void {
  const protocol = req.headers.upgrade ?? 'websocket';
  const headers: Record<string, string> = localRequestHeaders(req, client, {
    trustForwarded: options.trustForwarded,
    localHost: session.localHost,
    hasBody: false,
  });
  options.rewriteHeaders?.(headers);
  headers['connection'] = 'upgrade';
  headers['upgrade'] = protocol;
  const method = req.method ?? 'GET';
  const path = target.path + target.search;
  let done = false;
  const over = session.begin();
  const finish = (status: number) => {
    if (done) return;
    done = true;
    over();
    options.onDone(status);
  };
  let stream: MuxStream;
  try {
    stream = session.openStream(StreamKind.HTTP);
  } catch {
    writeRawResponse(
      socket,
      502,
      [['content-type', 'text/plain']],
      `Tunnel ${session.info.name} is closing.\n`,
    );
    finish(502);
    return;
  }
  session.requestStarted(stream, options.requestId, method, path);
  const local = request({ createConnection: () => stream, method, path, headers, setHost: false });
  socket.on('error', () => local.destroy());
  socket.once('close', () => {
    if (!done) local.destroy();
  });
  local.on('error', () => {
    if (done) return;
    writeRawResponse(
      socket,
      502,
      [['content-type', 'text/plain']],
      `Tunnel ${session.info.name} dropped the connection.\n`,
    );
    session.responseEnded(stream, { status: 502, error: 'the tunnel dropped the connection' });
    finish(502);
  });
  local.on('upgrade', (answer, upgraded, upgradedHead) => {
    session.responseEnded(stream, { status: 101 });
    socket.write(serializeHead(101, answer.statusMessage || 'Switching Protocols', answer.rawHeaders));
    if (upgradedHead.length > 0) socket.write(upgradedHead);
    if (head.length > 0) upgraded.write(head);
    upgraded.pipe(socket);
    socket.pipe(upgraded);
    const closeBoth = () => {
      upgraded.destroy();
      socket.destroy();
      finish(101);
    };
    upgraded.on('error', closeBoth);
    upgraded.once('close', closeBoth);
    socket.once('close', closeBoth);
  });
  local.on('response', (answer) => {
    // Declined: the answer is relayed as an ordinary response, and the connection closes after it.
    const status = answer.statusCode ?? 502;
    session.responseEnded(stream, { status });
    socket.write(closingResponseHead(status, endToEndHeaders(answer.headers)));
    answer.pipe(socket, { end: false });
    answer.once('end', () => {
      if (answer.complete) socket.end();
      else socket.destroy();
    });
    answer.once('close', () => {
      if (!answer.complete) socket.destroy();
    });
    finish(status);
  });
  local.end();
}
