/** What a telemetry frame is: Tesla's FlatBuffers envelope (namespace `tesla`), decoded. */

/** Union tags of the envelope's `message`. */
export const MESSAGE_TAG = { FlatbuffersStream: 4, FlatbuffersStreamAck: 5 } as const;

/** The kinds of message an envelope can carry. */
export type MessageType = keyof typeof MESSAGE_TAG;

/** Frames larger than this are refused, as Tesla's server does. */
export const MAX_MESSAGE_BYTES = 1_000_000;

/** Envelope slot numbers (FlatbuffersEnvelope). */
export const ENVELOPE_SLOT = { txid: 0, topic: 1, messageType: 2, message: 3, messageId: 4 } as const;

/** FlatbuffersStream slot numbers. */
export const STREAM_SLOT = {
  createdAt: 0,
  senderId: 1,
  payload: 2,
  deviceType: 3,
  deviceId: 4,
  deliveredAtEpochMs: 5,
} as const;

/** A FlatbuffersStream: a record from a vehicle, or the server's format-error reply. */
export interface StreamMessage {
  /** Seconds since the epoch, as the vehicle set it (0 when absent). */
  readonly createdAt: number;
  readonly senderId: string;
  /** The protobuf payload, a view into the frame. */
  readonly payload: Uint8Array;
  readonly deviceType: string;
  readonly deviceId: string;
  readonly deliveredAtEpochMs: number;
}

/** A decoded envelope. Byte fields are views into the frame: copy them to keep them past it. */
export interface Envelope {
  readonly txid: Uint8Array;
  /** The record type: `V`, `alerts`, `errors`, … */
  readonly topic: string;
  readonly messageType: MessageType;
  /** Set when `messageType` is `FlatbuffersStream`. */
  readonly stream?: StreamMessage;
  readonly messageId: Uint8Array;
}
