import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * The byte stream carried by a WebSocket's binary messages, for HTTP/2 to run on. Writes that
 * arrive together (HTTP/2 flushes its pending frames in one go) leave as one message, so a
 * request's HEADERS, DATA and WINDOW_UPDATE frames cost one WebSocket frame and one socket write
 * instead of one each. Reading pauses the WebSocket when the consumer falls behind.
 */
export function webSocketDuplex(ws: WebSocket): Duplex {
  const send = (data: Buffer, callback: (error?: Error | null) => void) => {
    if (ws.readyState !== ws.OPEN) {
      callback(new Error('the tunnel connection is closed'));
      return;
    }
    ws.send(data, { binary: true }, callback);
  };
  const duplex = new Duplex({
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      send(chunk, callback);
    },
    writev(chunks, callback) {
      send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
    },
    final(callback) {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      callback();
    },
    destroy(error, callback) {
      ws.terminate();
      callback(error);
    },
  });
  ws.on('message', (data: Buffer) => {
    if (!duplex.push(data)) ws.pause();
  });
  ws.once('close', () => duplex.push(null));
  ws.on('error', (error) => duplex.destroy(error));
  return duplex;
}
