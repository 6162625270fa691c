import { type IncomingHttpHeaders, performServerHandshake, type ServerHttp2Stream } from 'node:http2';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from '../protocol/h2-session.ts';
import { startHeartbeat } from '../protocol/heartbeat.ts';
import { releaseOnClose } from '../protocol/release-stream.ts';
import type { TunnelTransport } from '../protocol/transport.ts';
import { handleTunnelStream } from './local-forwarder.ts';
import { passThroughLocally } from './local-passthrough.ts';
import type { ServeOptions } from './mux-serve.ts';

/**
 * Serves a protocol-1 tunnel connection (a Gatehouse of the previous release): an HTTP/2 server on
 * it, each stream a request for the local server or a CONNECT for the local TLS server. Returns the
 * function that ends it.
 */
export function serveOverHttp2(transport: TunnelTransport, options: ServeOptions): () => void {
  const session = performServerHandshake(transport.stream, {
    settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, maxConcurrentStreams: 1000 },
  });
  session.setLocalWindowSize(SESSION_WINDOW);
  session.on('error', () => {});
  session.on('stream', (stream, headers, flags) => {
    releaseOnClose(stream);
    serve(stream, headers, flags, options);
  });
  const stopHeartbeat = startHeartbeat(session, options.heartbeatMs, () =>
    transport.close('heartbeat missed'),
  );
  return () => {
    stopHeartbeat();
    // Node feeds a new session the socket's buffered bytes on its first tick, and fails if the
    // session is gone by then (stopped the moment it came online): destroy it after that tick.
    process.nextTick(() => session.destroy());
  };
}

/** One stream from the edge: a passed-through TLS connection (CONNECT) or an HTTP request. */
function serve(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  options: ServeOptions,
): void {
  const { local, tlsPassthrough } = options;
  if (headers[':method'] === 'CONNECT') {
    if (tlsPassthrough) passThroughLocally(stream, headers, tlsPassthrough, options.onPassthrough);
    else refuseStream(stream, 501, 'this agent was not started with --tls-passthrough');
    return;
  }
  if (!local) {
    refuseStream(
      stream,
      502,
      `tunnel ${options.name} takes TLS connections only (--tls-passthrough); ` +
        'give the agent a local URL as well to serve HTTP requests',
    );
    return;
  }
  handleTunnelStream(stream, headers, flags, local, options.exchanges);
}

/** Answers a stream the agent cannot serve, saying why. */
function refuseStream(stream: ServerHttp2Stream, status: number, message: string): void {
  stream.on('error', () => {});
  if (stream.destroyed) return;
  stream.respond({
    ':status': status,
    'content-type': 'text/plain; charset=utf-8',
    'gatehouse-agent-error': 'local',
  });
  stream.end(`Gatehouse agent: ${message}.\n`);
}
