import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../store/expiring.ts';
import type { EphemeralRepository } from '../store/types.ts';
import { isCredentialHeader, REDACTED } from './credential-headers.ts';
import { openHeaders, sealHeaders } from './sealed-headers.ts';

/** How long webhook deliveries are kept for inspection and replay. */
export const DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;

/** One attempt to hand a webhook to a developer (or to the route's own upstream: `local`). */
export interface DeliveryResult {
  readonly developer: string;
  readonly status: number;
  readonly at: string;
  readonly error?: string;
  readonly replay?: boolean;
}

/** A webhook as received, and what became of it. */
export interface DeliveryRecord {
  readonly id: string;
  readonly receivedAt: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly authority: string;
  /** The headers received, credentials shown as `[redacted]`. */
  readonly headers: Record<string, string | string[]>;
  /** The credential headers, encrypted under the relay's secret, for replay only (never shown). */
  readonly sealedHeaders?: string;
  /** Base64 of the body: its first `recordBodyBytes` in a list, the whole of it for one delivery. */
  readonly body: string;
  readonly bodyBytes: number;
  /** True when `body` is a preview, shorter than the body received (which is kept whole for replay). */
  readonly truncated: boolean;
  readonly results: DeliveryResult[];
}

/**
 * Splits received headers for a record: what may be shown, credentials `[redacted]`, and the
 * credentials themselves, sealed under `secret` so a replay can send them again.
 */
export function recordHeaders(
  headers: Record<string, string | string[]>,
  secret: string,
  extra: readonly string[] = [],
): Pick<DeliveryRecord, 'headers' | 'sealedHeaders'> {
  const shown: Record<string, string | string[]> = {};
  const credentials: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isCredentialHeader(name, extra)) {
      credentials[name] = value;
      shown[name] = REDACTED;
    } else shown[name] = value;
  }
  return Object.keys(credentials).length > 0
    ? { headers: shown, sealedHeaders: sealHeaders(secret, credentials) }
    : { headers: shown };
}

/**
 * The headers to replay a record with: the shown ones with its credentials restored. Undefined
 * when they were sealed under another secret than `secret` (the relay's secret has changed).
 */
export function replayHeaders(
  record: DeliveryRecord,
  secret: string,
): Record<string, string | string[]> | undefined {
  if (record.sealedHeaders === undefined) return record.headers;
  const credentials = openHeaders(secret, record.sealedHeaders);
  return credentials && { ...record.headers, ...credentials };
}

/** A delivery as the admin API shows it: every credential header masked (the route may name more). */
export function publicDelivery(record: DeliveryRecord, extra: readonly string[] = []): DeliveryRecord {
  const { sealedHeaders: _sealed, ...shown } = record;
  const headers = Object.fromEntries(
    Object.entries(record.headers).map(([k, v]) => [k, isCredentialHeader(k, extra) ? REDACTED : v]),
  ) as Record<string, string | string[]>;
  return { ...shown, headers };
}

/** Webhook deliveries, per route, by id. */
const DELIVERIES: ExpiringSpec<DeliveryRecord> = { name: 'relay-delivery' };
/** The whole body of each delivery (base64), per route, by delivery id. */
const DELIVERY_BODIES: ExpiringSpec<string> = { name: 'relay-delivery-body' };

/**
 * The webhook deliveries of one relay route. Each record holds a preview of its body; the whole
 * body is kept beside it, so listing stays light and replay sends every byte received.
 */
export class DeliveryLog {
  readonly #records: ExpiringCollection<DeliveryRecord>;
  readonly #bodies: ExpiringCollection<string>;

  constructor(store: EphemeralRepository, routeId: string) {
    this.#records = expiringCollection(store, DELIVERIES, routeId);
    this.#bodies = expiringCollection(store, DELIVERY_BODIES, routeId);
  }

  async save(record: DeliveryRecord): Promise<void> {
    await this.#records.put(record.id, record, DELIVERY_TTL_MS);
  }

  /** Keeps a delivery's whole body, for as long as its record. */
  async saveBody(id: string, body: Buffer): Promise<void> {
    await this.#bodies.put(id, body.toString('base64'), DELIVERY_TTL_MS);
  }

  /** A delivery's whole body; undefined for a record kept before whole bodies were. */
  async body(id: string): Promise<Buffer | undefined> {
    const base64 = await this.#bodies.get(id);
    return base64 === undefined ? undefined : Buffer.from(base64, 'base64');
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    return this.#records.get(id);
  }

  /** The newest deliveries first. */
  async list(limit: number): Promise<DeliveryRecord[]> {
    return (await this.#records.list())
      .map((r) => r.record)
      .sort((a, b) => b.id.localeCompare(a.id))
      .slice(0, limit);
  }
}
