import type { Http2Stream } from 'node:http2';

const ignore = () => {};

/**
 * Drops every listener of a tunnel stream once it has closed. Node keeps a closed HTTP/2 stream
 * object alive until a full garbage collection, and through its listeners the request, response
 * and headers of the exchange; released, those die young instead of being copied into the old
 * generation, which shortens the young-generation pauses behind a tunnel's tail latency.
 */
export function releaseOnClose(stream: Http2Stream): void {
  stream.once('close', () => {
    // `emit` runs the 'close' listeners it found when it started, so the others still run.
    stream.removeAllListeners();
    stream.on('error', ignore);
  });
}
