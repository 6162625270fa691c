import { longToNumber, type WireLong } from './integers.ts';
import type { Reader, Writer } from './protobuf-schemas.ts';

/**
 * Seconds beyond protobuf's largest duration (10,000 years): some firmware puts milliseconds in the
 * seconds field of alert times, so such a value is read as milliseconds.
 */
const MAX_PLAUSIBLE_SECONDS = 315_576_000_000;

/** A google.protobuf.Timestamp's parts as protobufjs decodes them. */
export interface TimestampParts {
  readonly seconds?: WireLong | null | undefined;
  readonly nanos?: number | null | undefined;
}

/** Milliseconds since the epoch of a decoded Timestamp; undefined when it is absent. */
export function timestampToMs(timestamp: TimestampParts | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const seconds =
    timestamp.seconds === undefined || timestamp.seconds === null ? 0 : longToNumber(timestamp.seconds);
  if (Math.abs(seconds) >= MAX_PLAUSIBLE_SECONDS) return seconds;
  return seconds * 1000 + Math.trunc((timestamp.nanos ?? 0) / 1_000_000);
}

/** Reads a Timestamp message of `length` bytes at the reader's position, as milliseconds. */
export function readTimestampMs(reader: Reader, length: number): number {
  const end = reader.pos + length;
  let seconds: WireLong = 0;
  let nanos = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 8) seconds = reader.int64();
    else if (tag === 16) nanos = reader.int32();
    else reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw new RangeError('timestamp runs past its length');
  return timestampToMs({ seconds, nanos }) ?? 0;
}

/** A Timestamp object for protobufjs encoders, from milliseconds since the epoch. */
export function msToTimestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

/** Writes a Timestamp message as field `fieldNumber`. */
export function writeTimestamp(writer: Writer, fieldNumber: number, ms: number): void {
  const { seconds, nanos } = msToTimestamp(ms);
  writer.uint32((fieldNumber << 3) | 2).fork();
  if (seconds !== 0) writer.uint32(8).int64(seconds);
  if (nanos !== 0) writer.uint32(16).int32(nanos);
  writer.ldelim();
}
