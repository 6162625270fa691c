import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { webSocketDuplex } from './websocket-duplex.ts';

/** How long a closing tunnel connection may take to say goodbye before it is cut. */
const CLOSE_GRACE_MS = 1000;

/** Which upgrade carries a tunnel: the connection itself, or WebSocket messages. */
export type TransportKind = 'raw' | 'websocket';

/** The byte stream a tunnel's HTTP/2 runs on, whichever upgrade carried it. */
export interface TunnelTransport {
  readonly kind: TransportKind;
  /** What HTTP/2 reads and writes. */
  readonly stream: Duplex;
  /** Ends the connection: politely first, then for good after a short grace. */
  close(reason: string): void;
  /** Calls `listener` once, when the connection is gone. */
  onClose(listener: () => void): void;
}

/**
 * The upgraded connection itself. HTTP/2 then reads and writes the socket's native handle, with
 * no framing, masking or copying in between; Nagle is off so small frames leave at once.
 */
export function rawTransport(socket: Socket): TunnelTransport {
  socket.setNoDelay(true);
  socket.setTimeout(0);
  // An HTTP server's sockets allow half-open connections; a peer that is gone for good (killed, or
  // its connection reset) must end the tunnel at once, not at the next missed heartbeat.
  socket.once('end', () => socket.destroy());
  return {
    kind: 'raw',
    stream: socket,
    close() {
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    },
    onClose(listener) {
      if (socket.closed) listener();
      else socket.once('close', () => listener());
    },
  };
}

/** A WebSocket's binary messages, for deployments whose proxies pass nothing but WebSockets. */
export function webSocketTransport(ws: WebSocket): TunnelTransport {
  const stream = webSocketDuplex(ws);
  stream.on('error', () => {});
  return {
    kind: 'websocket',
    stream,
    close(reason) {
      if (ws.readyState === ws.OPEN) ws.close(1001, reason.slice(0, 100));
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
    onClose(listener) {
      if (ws.readyState === ws.CLOSED) listener();
      else ws.once('close', () => listener());
    },
  };
}
