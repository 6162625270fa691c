import type { IncomingMessage } from 'node:http';
import { GatehouseError } from './errors.ts';

/** A body passed its limit; the caller answers 413 and closes the connection rather than drain it. */
export class BodyTooLargeError extends GatehouseError<'BODY_TOO_LARGE'> {
  /** The limit that was passed, in bytes. */
  readonly limit: number;

  constructor(limit: number) {
    super('BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** Keeps chunks until their total passes `limit`; from then on it keeps nothing (and frees what it had). */
export class ByteCollector {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Adds a chunk; false once the total has passed the limit. */
  add(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    this.#size += chunk.length;
    if (this.overflowed) {
      this.#chunks = [];
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  /** True once more than the limit was offered. */
  get overflowed(): boolean {
    return this.#size > this.#limit;
  }

  /** What was kept, as one buffer (empty after an overflow). */
  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/**
 * Reads a request body whole, never holding more than `limit` bytes: a larger `Content-Length` is
 * refused before anything is read, and a body that runs past the limit as soon as it does. Either
 * way it rejects with {@link BodyTooLargeError} and leaves the rest unread and paused.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const collector = new ByteCollector(limit);
    const settle = (outcome: () => void) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      if (collector.add(chunk)) return;
      req.pause();
      settle(() => reject(new BodyTooLargeError(limit)));
    };
    const onEnd = () => settle(() => resolve(collector.bytes()));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('the connection closed before the body ended')));
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}
