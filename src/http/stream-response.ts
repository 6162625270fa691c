import type { ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { EdgeError } from './edge-error.ts';

/**
 * Sends the response head with the first body chunk when that chunk is already at hand, so a
 * small answer leaves in one write; otherwise flushes the head on the next turn of the event loop,
 * so the client of a slow or event-stream upstream sees the status and headers at once.
 */
export function flushHeadersSoon(res: ServerResponse): void {
  // `headersSent` turns true at writeHead, before anything is written, so it cannot tell; once the
  // head has gone out with a body chunk, flushing again writes nothing.
  setImmediate(() => {
    if (!res.writableEnded && !res.destroyed) res.flushHeaders();
  });
}

/** The client went away before the whole response was sent. */
export class ClientGoneError extends EdgeError {
  // Named as an abort, so that it reads as one wherever aborts are told apart from failures.
  override readonly name = 'AbortError';
  constructor() {
    super('CLIENT_CLOSED', 'the client closed the connection before the response was complete');
  }
}

/**
 * Streams `body` into `res` (an HTTP response or an HTTP/2 stream) with backpressure. Resolves
 * once `res` is finished; rejects with the body's error, or with {@link ClientGoneError} when the
 * receiving side closes first. Unlike `stream.pipeline`, it creates no AbortController per
 * response, which is measurable at high request rates.
 */
export function streamResponse(body: Readable, res: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      body.off('error', fail);
      res.off('error', fail);
      res.off('close', onClose);
      res.off('finish', onFinish);
    };
    const fail = (error: Error) => {
      cleanup();
      body.unpipe(res);
      discard(body);
      reject(error);
    };
    const onClose = () => fail(new ClientGoneError());
    const onFinish = () => {
      cleanup();
      resolve();
    };
    body.on('error', fail);
    res.on('error', fail);
    res.on('close', onClose);
    res.on('finish', onFinish);
    body.pipe(res);
  });
}

/**
 * Destroys a body nobody will read. An unfinished undici body reports its own destruction as an
 * error event, which would be uncaught without a listener.
 */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
