import { Duplex } from 'node:stream';
import { TunnelError } from './errors.ts';
import { MAX_DATA_FRAME } from './mux-frames.ts';

/** How many bytes a stream takes before its reader grants more: the protocol's per-stream window. */
export const STREAM_WINDOW = 256 * 1024;
/** Credit is granted back once this much was read, so CREDIT frames stay few. */
const CREDIT_BATCH = STREAM_WINDOW / 4;

/** What a stream needs from its session to send. */
export interface StreamLink {
  /** Writes one DATA frame; false when the connection's buffer is full. */
  data(id: number, bytes: Buffer): boolean;
  end(id: number): void;
  reset(id: number, reason: string): void;
  credit(id: number, bytes: number): void;
  /** Writes an INFO frame about the stream's exchange. */
  info(id: number, payload: Buffer): void;
  /** Calls `callback` once the connection can take more. */
  afterDrain(callback: () => void): void;
  /** The stream closed: its id may be forgotten. */
  forget(id: number): void;
}

/** The peer cut the stream (RESET), or the connection under it ended; the message says why. */
export class StreamCutError extends TunnelError {
  constructor(reason: string) {
    super('TUNNEL_STREAM_FAILED', reason);
  }
}

/**
 * One stream of a tunnel connection, as a Node duplex: writes become DATA frames within the
 * credit the peer granted, `end()` an END, a destroy before both sides ended a RESET. Reads grant
 * credit back as the consumer takes the bytes, so a slow reader stops a fast writer and memory
 * stays bounded by the window.
 */
export class MuxStream extends Duplex {
  /** The stream's id on its connection. */
  readonly id: number;
  readonly #link: StreamLink;
  /** Bytes the peer still lets us send. */
  #sendCredit = STREAM_WINDOW;
  /** Bytes the peer may still send before we grant more. */
  #receiveWindow = STREAM_WINDOW;
  /** Bytes received and not yet granted back. */
  #unacknowledged = 0;
  #pending: Buffer | undefined;
  #pendingCallback: ((error?: Error | null) => void) | undefined;
  #peerEnded = false;
  #peerCut = false;

  /**
   * `halfOpen`: the stream stays writable after the peer ended (a TLS connection's close_notify
   * then FIN); without it the stream ends its side too, as an HTTP connection's socket does.
   */
  constructor(id: number, link: StreamLink, halfOpen: boolean) {
    super({ allowHalfOpen: halfOpen, readableHighWaterMark: 64 * 1024, writableHighWaterMark: 64 * 1024 });
    this.id = id;
    this.#link = link;
    this.once('close', () => link.forget(id));
  }

  /** Node sockets' no-ops, so HTTP's client and agent can run on a stream. */
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  /** Tells the peer about the exchange on this stream (an INFO frame; see `InfoKind`). */
  sendInfo(payload: Buffer): void {
    if (!this.destroyed) this.#link.info(this.id, payload);
  }

  /** Bytes arrived for this stream. False when the peer sent more than it was granted. */
  receive(piece: Buffer): boolean {
    if (this.#peerEnded || this.#peerCut) return true;
    this.#receiveWindow -= piece.length;
    if (this.#receiveWindow < 0) return false;
    this.#unacknowledged += piece.length;
    if (this.push(piece) && this.#unacknowledged >= CREDIT_BATCH) this.#grant();
    return true;
  }

  /** The peer sent END. */
  receiveEnd(): void {
    if (this.#peerEnded || this.#peerCut) return;
    this.#peerEnded = true;
    this.push(null);
  }

  /** The peer sent RESET, or the connection is gone. */
  cut(reason: string): void {
    if (this.destroyed) return;
    this.#peerCut = true;
    // Without anyone listening for errors, the close without an end is the cut: never a crash.
    this.destroy(this.listenerCount('error') > 0 ? new StreamCutError(reason) : undefined);
  }

  /** The peer granted more bytes. */
  receiveCredit(bytes: number): void {
    this.#sendCredit += bytes;
    if (this.#pending) this.#flush();
  }

  override _read(): void {
    // Small answers on a kept-alive stream add up to a batch before any credit goes back: the
    // writer still has three quarters of its window, so nothing waits for it.
    if (this.#unacknowledged >= CREDIT_BATCH) this.#grant();
  }

  #grant(): void {
    this.#link.credit(this.id, this.#unacknowledged);
    this.#receiveWindow += this.#unacknowledged;
    this.#unacknowledged = 0;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pending = chunk;
    this.#pendingCallback = callback;
    this.#flush();
  }

  #flush(): void {
    let room = true;
    while (this.#pending !== undefined && this.#sendCredit > 0) {
      const pending = this.#pending;
      const size = Math.min(this.#sendCredit, pending.length, MAX_DATA_FRAME);
      room = this.#link.data(this.id, size === pending.length ? pending : pending.subarray(0, size));
      this.#sendCredit -= size;
      this.#pending = size === pending.length ? undefined : pending.subarray(size);
    }
    if (this.#pending !== undefined) return;
    const callback = this.#pendingCallback!;
    this.#pendingCallback = undefined;
    if (room) callback();
    else this.#link.afterDrain(() => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#link.end(this.id);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const whole = this.#peerEnded && this.writableFinished && !this.#peerCut;
    if (!whole && !this.#peerCut) this.#link.reset(this.id, error?.message ?? 'stream closed');
    this.#pendingCallback?.(error ?? new StreamCutError('stream closed'));
    this.#pendingCallback = undefined;
    this.#pending = undefined;
    callback(error);
  }

  /** True when the peer ended its side with END (not a cut). */
  get endedWhole(): boolean {
    return this.#peerEnded && !this.#peerCut;
  }
}
