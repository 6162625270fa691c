import { request as httpRequest } from 'node:http';
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import { outboundLookup } from '../../http/outbound.ts';
import { serializeHead } from '../../http/raw-response.ts';
import { discard, streamResponse } from '../../http/stream-response.ts';
import { SWITCHED_HEADER } from '../protocol/protocol.ts';
import type { LocalTarget } from './local-forwarder.ts';

/** An upgrade request as it came down the tunnel, ready for the local server. */
export interface LocalUpgradeRequest {
  readonly method: string;
  readonly path: string;
  /** End-to-end headers, `host` included. */
  readonly headers: Record<string, string>;
  /** The protocol asked for, e.g. `websocket`. */
  readonly protocol: string;
}

/**
 * Sends an upgrade request (WebSocket) to the local server. Once it switches protocols the stream
 * is answered with {@link SWITCHED_HEADER} and carries the raw bytes both ways, starting with its
 * 101. Any other answer goes back as an ordinary response and the local connection closes with it:
 * nothing the client sends afterwards can reach the local server unparsed.
 */
export function forwardUpgradeLocally(
  stream: ServerHttp2Stream,
  upgrade: LocalUpgradeRequest,
  target: LocalTarget,
): void {
  const https = target.url.protocol === 'https:';
  const local = (https ? httpsRequest : httpRequest)({
    hostname: target.url.hostname.replace(/^\[|\]$/g, ''),
    port: target.url.port || (https ? 443 : 80),
    method: upgrade.method,
    path: upgrade.path,
    headers: { ...upgrade.headers, connection: 'upgrade', upgrade: upgrade.protocol },
    agent: false,
    lookup: outboundLookup,
  });
  stream.once('close', () => local.destroy());

  local.on('error', (error) => {
    if (stream.closed || stream.headersSent) {
      stream.destroy();
      return;
    }
    stream.respond({
      ':status': 502,
      'content-type': 'text/plain; charset=utf-8',
      'gatehouse-agent-error': 'local',
    });
    stream.end(`Gatehouse agent: the local server at ${target.url.origin} failed: ${error.message}.\n`);
  });

  local.on('upgrade', (res, socket, head) => {
    if (stream.closed) {
      socket.destroy();
      return;
    }
    stream.respond({ ':status': 200, [SWITCHED_HEADER]: '1' });
    stream.write(serializeHead(101, res.statusMessage ?? 'Switching Protocols', res.rawHeaders));
    if (head.length > 0) stream.write(head);
    socket.on('error', () => stream.destroy());
    socket.once('close', () => stream.destroy());
    stream.once('close', () => socket.destroy());
    stream.pipe(socket);
    socket.pipe(stream);
  });

  local.on('response', (res) => {
    if (stream.closed) {
      discard(res);
      return;
    }
    // Only the agent says whether the local server switched.
    const { [SWITCHED_HEADER]: _claimed, ...headers } = endToEndHeaders(res.headers);
    stream.respond({ ':status': res.statusCode ?? 502, ...headers } as OutgoingHttpHeaders);
    // A broken answer resets the stream rather than ending it, so the edge passes on a cut.
    streamResponse(res, stream).catch((error: Error) => stream.destroy(error));
  });

  local.end();
}
