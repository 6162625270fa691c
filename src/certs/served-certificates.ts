import type { Logger } from '../core/logger.ts';
import { type SealingKey, unseal } from '../core/sealing.ts';
import type { ManagedCertificateRecord } from './cert-records.ts';

/** Where issued certificates are served: every HTTPS listener, and the telemetry one. */
export interface CertificateSink {
  /** Serves a certificate for these names from the next handshake on. */
  install(names: readonly string[], pem: { cert: Buffer; key: Buffer }): void;
  /** Stops serving these names (their certificate is gone from the store). */
  uninstall(names: readonly string[]): void;
}

/**
 * Keeps what this node serves in step with the store: each issued certificate installed once per
 * chain, and the names of a deleted certificate dropped unless another certificate carries them.
 */
export class ServedCertificates {
  readonly #sink: CertificateSink;
  readonly #sealKey: SealingKey;
  readonly #logger: Logger;
  readonly #installed = new Map<string, { chain: string; names: readonly string[] }>();

  constructor(sink: CertificateSink, sealKey: SealingKey, logger: Logger) {
    this.#sink = sink;
    this.#sealKey = sealKey;
    this.#logger = logger;
  }

  /** Serves every issued record; stops serving what the store no longer holds. */
  sync(records: readonly ManagedCertificateRecord[]): void {
    for (const record of records) this.serve(record);
    const present = new Set(records.map((r) => r.id));
    const carried = new Set(records.filter((r) => r.chainPem).flatMap((r) => r.names));
    for (const [id, { names }] of this.#installed) {
      if (present.has(id)) continue;
      this.#installed.delete(id);
      const dropped = names.filter((n) => !carried.has(n));
      if (dropped.length > 0) this.#sink.uninstall(dropped);
    }
  }

  /** Serves one record's certificate, unless this chain is served already. */
  serve(record: ManagedCertificateRecord): void {
    if (!record.chainPem || !record.sealedKey) return;
    if (this.#installed.get(record.id)?.chain === record.chainPem) return;
    const key = unseal(this.#sealKey, record.sealedKey, record.id);
    if (key === undefined) {
      this.#logger.error(
        { certificate: record.id },
        'the stored certificate key does not open with this secret key: give every node the same GATEHOUSE_SECRET_KEY',
      );
      return;
    }
    this.#sink.install(record.names, { cert: Buffer.from(record.chainPem), key: Buffer.from(key) });
    this.#installed.set(record.id, { chain: record.chainPem, names: record.names });
  }
}
