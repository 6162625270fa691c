import type { TelemetryRecord } from '../records.ts';

/** What the receiver knows of a message before it decodes one: who sent it, and when it came. */
export interface FrameMeta {
  /** From the client certificate. */
  readonly vin: string;
  readonly receivedAt: number;
  readonly deviceClientVersion?: string | undefined;
}

/** What one binary frame turned out to be, and what to answer. */
export type FrameOutcome =
  /** A record to dispatch; `ack` goes back once it may. `payloadVin` when the payload named another VIN. */
  | {
      readonly kind: 'record';
      readonly record: TelemetryRecord;
      readonly ack: Uint8Array;
      readonly payloadVin?: string | undefined;
    }
  /** A well-formed message of a type or topic the receiver does not take: acked so it is not resent. */
  | { readonly kind: 'unhandled'; readonly ack: Uint8Array; readonly why: string }
  /** Not a message at all: answered with Tesla's `incorrect message format` reply. */
  | { readonly kind: 'malformed'; readonly reply: Uint8Array; readonly why: string };

/** Reads one frame; never throws. */
export type FrameReader = (bytes: Uint8Array, meta: FrameMeta) => FrameOutcome;
