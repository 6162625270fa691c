import type { RecordType } from '../records.ts';

/** The receiver's settings, as `telemetry:` in the serve config gives them once validated. */
export interface ReceiverSettings {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** PEM files: the server's chain, its key, and the CAs vehicle certificates chain to. */
  /** `auto`: a certificate by ACME arrives through `setCertificate`. */
  readonly cert?: string | undefined;
  /** The name vehicles connect to. */
  readonly name?: string | undefined;
  readonly key?: string | undefined;
  readonly ca?: string | undefined;
  /** Sink names per record type. */
  readonly records: Readonly<Record<RecordType, readonly string[]>>;
  /** Per record type, the one sink whose confirmation the ack waits for. */
  readonly reliableAck: { readonly [type in 'V' | 'alerts' | 'errors']?: string | undefined };
  readonly rateLimit?: { readonly messages: number; readonly intervalSeconds: number } | undefined;
  readonly history: {
    readonly perVin: number;
    readonly intervalSeconds: number;
    readonly errorsPerVin: number;
    readonly retentionDays: number;
  };
  readonly flushMs: number;
  readonly maxInFlight: number;
  /** Settings of the broker sinks, by sink name. */
  readonly sinks: Readonly<Record<string, unknown>>;
}
