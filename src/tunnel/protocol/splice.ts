import type { Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';
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

/**
 * Joins a TCP connection and an HTTP/2 stream into one pipe, both ways. Each side is paused while
 * the other cannot take more (HTTP/2 flow control on the stream, the kernel's buffers on the
 * socket), so memory stays bounded however fast one end sends. Ends pass through: a FIN becomes
 * END_STREAM and END_STREAM a FIN, so either side may stop sending and still receive; a reset,
 * error or dropped tunnel on one side cuts the other, never passed off as a clean end.
 */
export function splice(socket: Socket, stream: Http2Stream, onDone?: (outcome: SpliceOutcome) => void): void {
  const session = stream.session;
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
    cancelStream(stream);
    socket.destroy();
  };
  socket.on('error', cutBoth);
  stream.on('error', cutBoth);
  socket.pipe(stream, { end: false });
  stream.pipe(socket, { end: false });
  if (ended) stream.end();
  else socket.once('end', () => stream.end());
  stream.once('end', () => {
    if (endedWhole(stream)) socket.end();
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
    if (session === undefined || !closedWhole(stream, session)) cutBoth();
    closedOne();
  });
}
