import { connect } from 'node:net';
import { outboundLookup } from '../../http/outbound.ts';
import { InfoKind, StreamKind } from '../protocol/mux-frames.ts';
import { MuxSession } from '../protocol/mux-session.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import { spliceMux } from '../protocol/splice.ts';
import type { TunnelTransport } from '../protocol/transport.ts';
import type { ExchangeHooks, LocalTarget } from './local-forwarder.ts';
import type { PassthroughRecord, PassthroughTarget } from './local-passthrough.ts';
import { serveLocalStream } from './local-stream.ts';

/** Most streams the edge may have open on one connection at once. */
const MAX_STREAMS = 1000;

/** What the agent serves on a tunnel connection, and whom it tells. */
export interface ServeOptions {
  readonly name: string;
  readonly heartbeatMs: number;
  readonly local: LocalTarget | undefined;
  readonly tlsPassthrough: PassthroughTarget | undefined;
  readonly exchanges: ExchangeHooks;
  readonly onPassthrough: (record: PassthroughRecord) => void;
}

/**
 * Serves a protocol-2 tunnel connection: each stream the edge opens becomes a connection to the
 * local HTTP server, or to the local TLS server for a passed-through connection. Returns the
 * function that ends it.
 */
export function serveOverMux(transport: TunnelTransport, options: ServeOptions): () => void {
  const mux = new MuxSession(transport.stream, {
    role: 'agent',
    heartbeatMs: options.heartbeatMs,
    maxIncomingStreams: MAX_STREAMS,
    onStream: (stream, kind) => {
      stream.on('error', () => {});
      if (kind === StreamKind.PASSTHROUGH) {
        if (options.tlsPassthrough) passThrough(stream, options.tlsPassthrough, options.onPassthrough);
        else stream.destroy(new Error('this agent was not started with --tls-passthrough'));
      } else if (!options.local) {
        stream.destroy(
          new Error(
            `tunnel ${options.name} takes TLS connections only (--tls-passthrough); ` +
              'give the agent a local URL as well to serve HTTP requests',
          ),
        );
      } else serveLocalStream(stream, options.local, options.exchanges);
    },
  });
  mux.onClose((reason) => transport.close(reason));
  return () => mux.close('agent stopping');
}

/**
 * Connects a passed-through TLS connection to the local TLS server: the edge hears it was taken
 * (INFO ACCEPTED) and the bytes flow both ways, the client's ClientHello first; a refusal resets
 * the stream, which the edge turns into a TLS alert.
 */
function passThrough(
  stream: MuxStream,
  target: PassthroughTarget,
  onEnd: (record: PassthroughRecord) => void,
): void {
  const record: PassthroughRecord = {
    id: '',
    startedAt: Date.now(),
    durationMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    whole: false,
  };
  stream.once('info', (payload: Buffer) => {
    if (payload[0] === InfoKind.REQUEST) record.id = payload.toString('utf8', 1).split('\n')[0] ?? '';
  });
  let reported = false;
  const finish = () => {
    if (reported) return;
    reported = true;
    record.durationMs = Date.now() - record.startedAt;
    onEnd(record);
  };
  let connected = false;
  const local = connect({ host: target.host, port: target.port, lookup: outboundLookup });
  local.once('connect', () => {
    connected = true;
    if (stream.destroyed) {
      local.destroy();
      return;
    }
    stream.sendInfo(Buffer.of(InfoKind.ACCEPTED));
    spliceMux(local, stream, (outcome) => {
      record.whole = outcome.whole;
      record.bytesIn = outcome.bytesWritten;
      record.bytesOut = outcome.bytesRead;
      finish();
    });
  });
  local.once('error', (error) => {
    if (connected) return;
    record.error = `cannot connect to ${target.host}:${target.port} (${error.message})`;
    stream.destroy(new Error(record.error));
    finish();
  });
  stream.once('close', () => {
    if (connected) return;
    local.destroy();
    record.error ??= 'the client left before the local server accepted';
    finish();
  });
}
