import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  controlFrame,
  creditFrame,
  FrameDecoder,
  FrameType,
  frameHeader,
  MAX_CONTROL_PAYLOAD,
  StreamKind,
} from './mux-frames.ts';
import { MuxStream, type StreamLink } from './mux-stream.ts';

/**
 * How much may wait to be written before streams hold back: the socket's own mark (16 KiB) would
 * stop every stream after one frame per turn of the event loop while writes are corked.
 */
const WRITE_BUDGET = 1024 * 1024;
/** Most bytes waiting to be written before answers to the peer's frames are dropped. */
const REPLY_BUDGET = 1024 * 1024;

/** Which end of a tunnel connection this is: the edge opens odd stream ids, the agent even ones. */
export type MuxRole = 'edge' | 'agent';

/** Settings of a {@link MuxSession}. */
export interface MuxOptions {
  readonly role: MuxRole;
  /** Pings the peer this often; a ping unanswered with nothing else heard by the next one ends it. */
  readonly heartbeatMs: number;
  /** Most streams the peer may have open at once; more are refused with RESET. */
  readonly maxIncomingStreams: number;
  /**
   * A stream the peer opened, and what it is for: `target` names a tunnel on links between nodes,
   * and is empty on an agent's connection. Without it, the peer may open none.
   */
  readonly onStream?: (stream: MuxStream, kind: StreamKind, target: string) => void;
}

/**
 * A tunnel connection carrying many streams (protocol 2): frames of {@link FrameDecoder} over one
 * byte stream. Writes made in one turn of the event loop leave in one system call; a full
 * connection buffer holds back every stream's writes until it drains.
 */
export class MuxSession implements StreamLink {
  readonly #transport: Duplex;
  readonly #options: MuxOptions;
  readonly #streams = new Map<number, MuxStream>();
  readonly #decoder: FrameDecoder;
  readonly #closeListeners = new Set<(reason: string) => void>();
  readonly #drainWaiters: (() => void)[] = [];
  #nextId: number;
  #corked = false;
  #closedReason: string | undefined;
  #peerGoingAway = false;
  #heard = false;
  #pingPayload: Buffer | undefined;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(transport: Duplex, options: MuxOptions) {
    this.#transport = transport;
    this.#options = options;
    this.#nextId = options.role === 'edge' ? 1 : 2;
    this.#decoder = new FrameDecoder({
      frame: (type, _flags, id, payload) => this.#onFrame(type, id, payload),
      data: (id, piece) => this.#onData(id, piece),
      error: (message) => this.close(`protocol error: ${message}`),
    });
    transport.on('data', (chunk: Buffer) => {
      this.#heard = true;
      this.#decoder.push(chunk);
    });
    transport.on('drain', () => this.#drained());
    transport.on('error', () => this.close('connection failed'));
    transport.once('close', () => this.close('connection closed'));
    transport.once('end', () => this.close('connection ended'));
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** True until the connection ends. */
  get open(): boolean {
    return this.#closedReason === undefined;
  }

  /** False once either side said it opens no more streams. */
  get accepting(): boolean {
    return this.open && !this.#peerGoingAway;
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Opens a stream to the peer (for `target`, on a link between nodes). Throws when the connection is closing. */
  openStream(kind: StreamKind, target = ''): MuxStream {
    if (!this.accepting) throw new Error(`the tunnel connection is ${this.open ? 'going away' : 'closed'}`);
    let id = this.#nextId;
    while (this.#streams.has(id)) id = this.#after(id);
    this.#nextId = this.#after(id);
    const stream = new MuxStream(id, this, kind === StreamKind.PASSTHROUGH);
    this.#streams.set(id, stream);
    const payload = target === '' ? Buffer.of(kind) : Buffer.concat([Buffer.of(kind), Buffer.from(target)]);
    this.#send(controlFrame(FrameType.OPEN, id, payload));
    return stream;
  }

  /** Tells the peer no more streams will be opened; open ones may finish. */
  goAway(reason: string): void {
    if (this.open) this.#send(controlFrame(FrameType.GOAWAY, 0, Buffer.from(reason.slice(0, 200))));
  }

  /** Calls `listener` once, when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void {
    if (this.#closedReason !== undefined) listener(this.#closedReason);
    else this.#closeListeners.add(listener);
  }

  /** Ends the connection; open streams are cut at once (never passed off as whole). */
  close(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    clearInterval(this.#heartbeat);
    for (const stream of this.#streams.values()) stream.cut(`the tunnel connection ended: ${reason}`);
    this.#streams.clear();
    for (const wake of this.#drainWaiters.splice(0)) wake();
    this.#transport.destroy();
    for (const listener of this.#closeListeners) listener(reason);
    this.#closeListeners.clear();
  }

  // StreamLink: what streams call to send.

  /** @internal */
  data(id: number, bytes: Buffer): boolean {
    if (!this.open) return true;
    this.#cork();
    this.#transport.write(frameHeader(FrameType.DATA, 0, id, bytes.length));
    this.#transport.write(bytes);
    return this.#transport.writableLength < WRITE_BUDGET;
  }

  /** @internal */
  end(id: number): void {
    if (this.open) this.#send(controlFrame(FrameType.END, id));
  }

  /** @internal */
  reset(id: number, reason: string): void {
    if (this.open) this.#send(controlFrame(FrameType.RESET, id, Buffer.from(reason.slice(0, 200))));
  }

  /** @internal */
  credit(id: number, bytes: number): void {
    if (this.open) this.#send(creditFrame(id, bytes));
  }

  /** @internal */
  info(id: number, payload: Buffer): void {
    if (this.open && payload.length <= MAX_CONTROL_PAYLOAD)
      this.#send(controlFrame(FrameType.INFO, id, payload));
  }

  /** @internal */
  afterDrain(callback: () => void): void {
    if (!this.open || this.#transport.writableLength < WRITE_BUDGET) callback();
    else this.#drainWaiters.push(callback);
  }

  /** @internal */
  forget(id: number): void {
    this.#streams.delete(id);
  }

  /** The next id of this side's parity, wrapping before 2^32. */
  #after(id: number): number {
    const next = id + 2;
    return next <= 0xffff_ffff ? next : this.#options.role === 'edge' ? 1 : 2;
  }

  #drained(): void {
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  /**
   * Sends a frame that answers the peer's (PONG, a refused stream), unless the peer has left more
   * than {@link REPLY_BUDGET} unread: a peer that floods without reading cannot grow this side's
   * memory. It gets no answer, and so takes this side for dead, which it then is to it.
   */
  #reply(frame: Buffer): void {
    if (this.#transport.writableLength <= REPLY_BUDGET) this.#send(frame);
  }

  #send(frame: Buffer): void {
    this.#cork();
    this.#transport.write(frame);
  }

  /**
   * Holds writes until the event loop has run every I/O callback that is ready: what all streams
   * wrote in that turn leaves in one system call, instead of one per callback.
   */
  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#transport.cork();
    setImmediate(this.#uncork);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#transport.uncork();
  };

  #onData(id: number, piece: Buffer): void {
    const stream = this.#streams.get(id);
    // A stream this side already cut may still get what was in flight.
    if (stream && !stream.receive(piece)) this.close(`the peer overran stream ${id}'s flow-control window`);
  }

  #onFrame(type: FrameType, id: number, payload: Buffer): void {
    switch (type) {
      case FrameType.OPEN:
        this.#onOpen(id, payload);
        return;
      case FrameType.END:
        this.#streams.get(id)?.receiveEnd();
        return;
      case FrameType.RESET:
        this.#streams.get(id)?.cut(payload.toString('utf8') || 'reset by peer');
        return;
      case FrameType.CREDIT:
        if (payload.length !== 4) {
          this.close('protocol error: CREDIT frame without a 4-byte amount');
          return;
        }
        this.#streams.get(id)?.receiveCredit(payload.readUInt32BE(0));
        return;
      case FrameType.PING:
        this.#reply(controlFrame(FrameType.PONG, 0, payload));
        return;
      case FrameType.PONG:
        if (this.#pingPayload?.equals(payload)) this.#pingPayload = undefined;
        return;
      case FrameType.GOAWAY:
        this.#peerGoingAway = true;
        return;
      case FrameType.INFO:
        this.#streams.get(id)?.emit('info', payload);
        return;
      default:
        return;
    }
  }

  #onOpen(id: number, payload: Buffer): void {
    const ours = this.#options.role === 'edge' ? id % 2 === 1 : id % 2 === 0;
    if (id === 0 || ours || this.#streams.has(id)) {
      this.close(`protocol error: the peer opened stream ${id}, which it may not`);
      return;
    }
    const onStream = this.#options.onStream;
    if (!onStream || payload.length < 1) {
      this.#reply(controlFrame(FrameType.RESET, id, Buffer.from('this side accepts no such stream')));
      return;
    }
    if (this.#streams.size >= this.#options.maxIncomingStreams) {
      this.#reply(controlFrame(FrameType.RESET, id, Buffer.from('too many streams open')));
      return;
    }
    const kind = payload[0] as StreamKind;
    const stream = new MuxStream(id, this, kind === StreamKind.PASSTHROUGH);
    this.#streams.set(id, stream);
    onStream(stream, kind, payload.length > 1 ? payload.toString('utf8', 1) : '');
  }

  #beat(): void {
    if (!this.open) return;
    if (this.#pingPayload !== undefined && !this.#heard) {
      this.close('heartbeat missed');
      return;
    }
    this.#heard = false;
    this.#pingPayload = randomBytes(8);
    this.#send(controlFrame(FrameType.PING, 0, this.#pingPayload));
  }
}
