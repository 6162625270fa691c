import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { connect } from 'node:net';
import { outboundLookup } from '../../http/outbound.ts';
import { REQUEST_ID_HEADER } from '../protocol/protocol.ts';
import { splice } from '../protocol/splice.ts';

/** The local TLS server passed-through connections go to; the agent never terminates their TLS. */
export interface PassthroughTarget {
  readonly host: string;
  readonly port: number;
}

/** One passed-through connection, as the status line and `--json` events report it. */
export interface PassthroughRecord {
  id: string;
  readonly startedAt: number;
  durationMs: number;
  /** Bytes from the client to the local server, and back. */
  bytesIn: number;
  bytesOut: number;
  /** False when either side was cut instead of closing cleanly. */
  whole: boolean;
  error?: string;
}

/**
 * Connects a CONNECT stream from the edge to the local TLS server: 200 once the local server
 * accepted the TCP connection, then the bytes both ways (the client's ClientHello first); 502 if
 * it refused, which the edge turns into a TLS alert for the client.
 */
export function passThroughLocally(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  target: PassthroughTarget,
  onEnd: (record: PassthroughRecord) => void,
): void {
  stream.on('error', () => {});
  const record: PassthroughRecord = {
    id: String(headers[REQUEST_ID_HEADER] ?? ''),
    startedAt: Date.now(),
    durationMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    whole: false,
  };
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
    stream.respond({ ':status': 200 });
    splice(local, stream, (outcome) => {
      record.whole = outcome.whole;
      record.bytesIn = outcome.bytesWritten;
      record.bytesOut = outcome.bytesRead;
      finish();
    });
  });
  local.once('error', (error) => {
    if (connected) return;
    record.error = `cannot connect to ${target.host}:${target.port} (${error.message})`;
    if (!stream.destroyed)
      stream.respond({ ':status': 502, 'gatehouse-agent-error': 'local' }, { endStream: true });
    finish();
  });
  stream.once('close', () => {
    if (connected) return;
    local.destroy();
    record.error ??= 'the client left before the local server accepted';
    finish();
  });
}
