/**
 * Frames of the tunnel's multiplexing layer (protocol 2). Every frame is a 9-byte header (payload
 * length u24, type u8, flags u8, stream id u32, all big-endian, as HTTP/2 lays its out) and its
 * payload. The decoder is
 * pure: bytes in, frames out; it hands DATA payloads on in the pieces they arrived in, so bulk
 * bodies are never copied to be reassembled.
 */

/** Header bytes before every payload. */
export const FRAME_HEADER_BYTES = 9;
/** Largest DATA payload a sender puts in one frame. */
export const MAX_DATA_FRAME = 64 * 1024;
/** Largest payload of any other frame; a bigger one is a protocol error. */
export const MAX_CONTROL_PAYLOAD = 16 * 1024;

/** What a frame says. Stream 0 is the connection itself. */
export const FrameType = {
  /** Opens a stream (edge → agent); payload: {@link StreamKind} byte. */
  OPEN: 1,
  /** Bytes on a stream. */
  DATA: 2,
  /** The sender will send no more on this stream (a FIN). */
  END: 3,
  /** The stream is cut; payload: reason text. Never passed off as a clean end. */
  RESET: 4,
  /** The receiver takes this many more bytes on the stream (payload u32). */
  CREDIT: 5,
  /** Liveness probe; payload 8 bytes, echoed in PONG. */
  PING: 6,
  PONG: 7,
  /** The sender opens no more streams; those open may finish. Payload: reason text. */
  GOAWAY: 8,
  /** What the edge tells the agent about an exchange on a stream; payload per {@link InfoKind}. */
  INFO: 9,
} as const;
/** One of {@link FrameType}. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** What an opened stream carries. */
export const StreamKind = {
  /** HTTP/1.1 bytes for the local HTTP server: a connection to it, kept alive across requests. */
  HTTP: 1,
  /** An unterminated TLS connection for the local TLS server. */
  PASSTHROUGH: 2,
} as const;
/** One of {@link StreamKind}. */
export type StreamKind = (typeof StreamKind)[keyof typeof StreamKind];

/** INFO payload's first byte: which part of an exchange it describes. */
export const InfoKind = {
  /** A request starts on the stream: `id \n method \n path` follow. */
  REQUEST: 1,
  /** The exchange is over: `status \n body bytes in \n body bytes out \n error` follow. */
  RESPONSE: 2,
  /** (agent → edge) The local TLS server took a passed-through connection. */
  ACCEPTED: 3,
} as const;

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

/** A whole frame header; DATA payloads go through {@link FrameHandler.data} in pieces. */
export interface FrameHandler {
  /** A non-DATA frame with its whole payload. */
  frame(type: FrameType, flags: number, streamId: number, payload: Buffer): void;
  /** A piece of a DATA frame's payload, in order. */
  data(streamId: number, piece: Buffer): void;
  /** The peer broke the protocol: the connection must end. */
  error(message: string): void;
}

/** The 9-byte header of a frame. */
export function frameHeader(type: FrameType, flags: number, streamId: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return header;
}

/** A whole non-DATA frame, header and payload in one buffer. */
export function controlFrame(type: FrameType, streamId: number, payload?: Buffer): Buffer {
  const length = payload?.length ?? 0;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.writeUIntBE(length, 0, 3);
  frame[3] = type;
  frame[4] = 0;
  frame.writeUInt32BE(streamId, 5);
  if (payload) payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** A CREDIT frame granting `bytes` more on a stream. */
export function creditFrame(streamId: number, bytes: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  frame.writeUIntBE(4, 0, 3);
  frame[3] = FrameType.CREDIT;
  frame[4] = 0;
  frame.writeUInt32BE(streamId, 5);
  frame.writeUInt32BE(bytes, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Splits a byte stream into frames. Push whatever the connection read; the handler hears each
 * frame once its header is in (DATA) or its whole payload is (the rest). After an error it
 * ignores everything.
 */
export class FrameDecoder {
  readonly #handler: FrameHandler;
  /** Header bytes gathered across reads. */
  readonly #header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** Payload bytes still to come for the current frame; -1 while reading a header. */
  #remaining = -1;
  #type: FrameType = FrameType.DATA;
  #flags = 0;
  #streamId = 0;
  /** Pieces of a control frame's payload. */
  #control: Buffer[] = [];
  #failed = false;

  constructor(handler: FrameHandler) {
    this.#handler = handler;
  }

  /** Feeds the bytes the connection read. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.#failed) {
      if (this.#remaining < 0) {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - offset);
        if (this.#headerFill === 0 && take === FRAME_HEADER_BYTES) {
          this.#startFrame(chunk, offset);
        } else {
          chunk.copy(this.#header, this.#headerFill, offset, offset + take);
          this.#headerFill += take;
          if (this.#headerFill === FRAME_HEADER_BYTES) this.#startFrame(this.#header, 0);
        }
        offset += take;
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      this.#remaining -= take;
      if (this.#type === FrameType.DATA) {
        this.#handler.data(this.#streamId, piece);
      } else {
        this.#control.push(piece);
        if (this.#remaining === 0) this.#endControl();
      }
      if (this.#remaining === 0) this.#remaining = -1;
    }
  }

  #startFrame(source: Buffer, at: number): void {
    this.#headerFill = 0;
    const length = source.readUIntBE(at, 3);
    const type = source[at + 3]!;
    this.#flags = source[at + 4]!;
    this.#streamId = source.readUInt32BE(at + 5);
    if (!KNOWN_TYPES.has(type)) {
      this.#fail(`unknown frame type ${type}`);
      return;
    }
    this.#type = type as FrameType;
    if (type === FrameType.DATA) {
      if (length > MAX_DATA_FRAME) {
        this.#fail(`DATA frame of ${length} bytes is over ${MAX_DATA_FRAME}`);
        return;
      }
      if (this.#streamId === 0) {
        this.#fail('DATA frame on stream 0');
        return;
      }
      this.#remaining = length === 0 ? -1 : length;
      return;
    }
    if (length > MAX_CONTROL_PAYLOAD) {
      this.#fail(`frame of type ${type} with ${length} bytes is over ${MAX_CONTROL_PAYLOAD}`);
      return;
    }
    this.#control = [];
    this.#remaining = length;
    if (length === 0) {
      this.#remaining = -1;
      this.#endControl();
    }
  }

  #endControl(): void {
    const pieces = this.#control;
    this.#control = [];
    const payload = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    this.#handler.frame(this.#type, this.#flags, this.#streamId, payload);
  }

  #fail(message: string): void {
    this.#failed = true;
    this.#handler.error(message);
  }
}
