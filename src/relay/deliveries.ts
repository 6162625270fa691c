import type { EphemeralRepository } from '../store/types.ts';

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
  readonly headers: Record<string, string | string[]>;
  /** Base64 of the body's first bytes. */
  readonly body: string;
  readonly bodyBytes: number;
  /** True when the record keeps less than the whole body (it cannot be replayed then). */
  readonly truncated: boolean;
  readonly results: DeliveryResult[];
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** A delivery as the admin API shows it: credentials a provider sent are masked. */
export function publicDelivery(record: DeliveryRecord): DeliveryRecord {
  const headers = Object.fromEntries(
    Object.entries(record.headers).map(([k, v]) => [k, SECRET_HEADERS.has(k) ? '[redacted]' : v]),
  ) as Record<string, string | string[]>;
  return { ...record, headers };
}

/** The webhook deliveries of one relay route. */
export class DeliveryLog {
  readonly #store: EphemeralRepository;
  readonly #namespace: string;

  constructor(store: EphemeralRepository, routeId: string) {
    this.#store = store;
    this.#namespace = `relay-delivery:${routeId}`;
  }

  async save(record: DeliveryRecord): Promise<void> {
    await this.#store.put(this.#namespace, record.id, JSON.stringify(record), DELIVERY_TTL_MS);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const json = await this.#store.get(this.#namespace, id);
    return json === undefined ? undefined : (JSON.parse(json) as DeliveryRecord);
  }

  /** The newest deliveries first. */
  async list(limit: number): Promise<DeliveryRecord[]> {
    const all = await this.#store.list(this.#namespace);
    return all
      .map((r) => JSON.parse(r.value) as DeliveryRecord)
      .sort((a, b) => b.id.localeCompare(a.id))
      .slice(0, limit);
  }
}
