import type { Socket } from 'node:net';

/** The alert `internal_error` (RFC 8446 §6.2): the server cannot go on, through no fault of the client. */
const INTERNAL_ERROR = 80;
/** How long a refused client may take to close its side before it is cut. */
const LINGER_MS = 5000;

/**
 * Ends a connection whose handshake has not started with a fatal TLS alert, in plaintext as
 * alerts before a handshake are: the client reports a TLS error at once instead of waiting on a
 * silent socket or calling it a dropped connection.
 */
export function refuseWithAlert(socket: Socket): void {
  if (socket.destroyed) return;
  // Content type 21 (alert), record version TLS 1.2, two bytes: level fatal (2), description.
  socket.end(Buffer.from([21, 3, 3, 0, 2, 2, INTERNAL_ERROR]));
  // Whatever else the client sends is read and dropped, so its FIN is seen and the socket closes.
  socket.resume();
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}
