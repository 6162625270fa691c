import type { Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MuxStream } from './mux-stream.ts';
import { cancelStream, closedWhole, endedWhole } from './stream-cut.ts';

/** Idle time before TCP keepalive probes start on a spliced connection. */
const KEEPALIVE_MS = 60_000;

/** How a spliced connection ended. */
export interface SpliceOutcome {
  /** Both sides finished sending; nothing was reset or cut. */
  readonly whole: boolean;
  /** Bytes read from the socket and written to it. */
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

/** How to cut a tunnel stream and tell a clean end from a cut, per protocol version. */
interface StreamEnds<S extends Duplex> {
  cancel(stream: S): void;
  /** From an `'end'` listener: the peer ended with a clean end. */
  endedWhole(stream: S): boolean;
  /** From a `'close'` listener: both sides ended, nothing was cut. */
  closedWhole(stream: S): boolean;
}

const HTTP2_ENDS: StreamEnds<Http2Stream> = {
  cancel: cancelStream,
  endedWhole,
  closedWhole: (stream) => stream.session !== undefined && closedWhole(stream, stream.session),
};

const MUX_ENDS: StreamEnds<MuxStream> = {
  cancel: (stream) => stream.destroy(),
  endedWhole: (stream) => stream.endedWhole,
  closedWhole: (stream) => stream.endedWhole && stream.writableFinished,
};

/** {@link spliceStream} for a protocol-1 (HTTP/2) stream. */
export function splice(socket: Socket, stream: Http2Stream, onDone?: (outcome: SpliceOutcome) => void): void {
  spliceStream(socket, stream, HTTP2_ENDS, onDone);
}

/** {@link spliceStream} for a protocol-2 stream. */
export function spliceMux(
  socket: Socket,
  stream: MuxStream,
  onDone?: (outcome: SpliceOutcome) => void,
): void {
  spliceStream(socket, stream, MUX_ENDS, onDone);
}

/**
 * Joins a TCP connection and a tunnel stream into one pipe, both ways. Each side is paused while
 * the other cannot take more (the stream's flow control, the kernel's buffers on the
 * socket), so memory stays bounded however fast one end sends. Ends pass through: a FIN becomes the
 * stream's end and its end a FIN, so either side may stop sending and still receive; a reset,
 * error or dropped tunnel on one side cuts the other, never passed off as a clean end.
 */
function spliceStream<S extends Duplex>(
  socket: Socket,
  stream: S,
  ends: StreamEnds<S>,
  onDone?: (outcome: SpliceOutcome) => void,
): void {
  // The far side may still answer after this side stopped sending (TLS close_notify, then FIN).
  socket.allowHalfOpen = true;
  // With nothing buffered, a FIN read while paused has already ended the socket's readable side.
  const ended = socket.readableEnded;
  socket.setNoDelay(true);
  // Nothing else ends a connection whose peer vanished without a FIN (a vehicle out of coverage).
  socket.setKeepAlive(true, KEEPALIVE_MS);
  let cut = false;
  const cutBoth = () => {
    if (cut) return;
    cut = true;
    ends.cancel(stream);
    socket.destroy();
  };
  socket.on('error', cutBoth);
  stream.on('error', cutBoth);
  socket.pipe(stream, { end: false });
  stream.pipe(socket, { end: false });
  if (ended) stream.end();
  else socket.once('end', () => stream.end());
  stream.once('end', () => {
    if (ends.endedWhole(stream)) socket.end();
    else cutBoth();
  });
  let closed = 0;
  const closedOne = () => {
    if (++closed < 2) return;
    onDone?.({ whole: !cut, bytesRead: socket.bytesRead, bytesWritten: socket.bytesWritten });
  };
  socket.once('close', () => {
    if (!(socket.readableEnded && socket.writableFinished)) cutBoth();
    closedOne();
  });
  stream.once('close', () => {
    if (!ends.closedWhole(stream)) cutBoth();
    closedOne();
  });
}
