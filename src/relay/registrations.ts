import type { EphemeralRepository } from '../store/types.ts';

/** Where a developer's relayed requests go: a Gatehouse tunnel by name, or a checked https URL. */
export type RelayTarget =
  | { readonly kind: 'tunnel'; readonly name: string }
  | { readonly kind: 'url'; readonly url: string };

/** A developer's registration on one relay route. */
export interface Registration {
  readonly developerId: string;
  readonly target: RelayTarget;
  readonly registeredAt: string;
  readonly expiresAt: string;
}

/** A state mapping: which developer a callback with this state belongs to. */
interface StateMapping {
  readonly developerId: string;
  /** Set when a callback used it; it then lives only for the retry grace. */
  readonly consumedAt?: string;
}

/** Seconds a consumed state still routes, so a browser retry of the callback lands in the same place. */
export const CONSUMED_GRACE_SECONDS = 30;

/**
 * Registrations and state mappings of one relay host (all relay routes of a host share them),
 * kept in the store's expiring records.
 */
export class RelayRegistry {
  readonly #store: EphemeralRepository;
  readonly #regs: string;
  readonly #states: string;
  readonly #seen: string;

  constructor(store: EphemeralRepository, host: string) {
    this.#store = store;
    this.#regs = `relay-reg:${host}`;
    this.#states = `relay-state:${host}`;
    this.#seen = `relay-sig:${host}`;
  }

  /** Stores a registration; the latest one per developer wins. */
  async register(
    developerId: string,
    target: RelayTarget,
    ttlSeconds: number,
    now: Date,
  ): Promise<Registration> {
    const registration: Registration = {
      developerId,
      target,
      registeredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    };
    await this.#store.put(this.#regs, developerId, JSON.stringify(registration), ttlSeconds * 1000);
    return registration;
  }

  async unregister(developerId: string): Promise<boolean> {
    return this.#store.delete(this.#regs, developerId);
  }

  async get(developerId: string): Promise<Registration | undefined> {
    const json = await this.#store.get(this.#regs, developerId);
    return json === undefined ? undefined : (JSON.parse(json) as Registration);
  }

  async list(): Promise<Registration[]> {
    return (await this.#store.list(this.#regs)).map((r) => JSON.parse(r.value) as Registration);
  }

  /**
   * Remembers a signature until it could no longer be fresh; false when it was seen already, by
   * any operation (each signature is good for one request, whatever it asks).
   */
  async firstUse(signature: string, windowSeconds: number): Promise<boolean> {
    return this.#store.putIfAbsent(this.#seen, signature.toLowerCase(), '1', windowSeconds * 2 * 1000);
  }

  /** Maps an OAuth state to a developer. */
  async mapState(state: string, developerId: string, ttlSeconds: number): Promise<void> {
    await this.#store.put(
      this.#states,
      state,
      JSON.stringify({ developerId } satisfies StateMapping),
      ttlSeconds * 1000,
    );
  }

  /**
   * The developer a state belongs to. Using it marks it consumed: it keeps routing for
   * {@link CONSUMED_GRACE_SECONDS} (a retried callback), then is gone.
   */
  async consumeState(state: string, now: Date): Promise<string | undefined> {
    const json = await this.#store.get(this.#states, state);
    if (json === undefined) return undefined;
    const mapping = JSON.parse(json) as StateMapping;
    if (!mapping.consumedAt) {
      const consumed: StateMapping = { ...mapping, consumedAt: now.toISOString() };
      await this.#store.put(this.#states, state, JSON.stringify(consumed), CONSUMED_GRACE_SECONDS * 1000);
    }
    return mapping.developerId;
  }
}
