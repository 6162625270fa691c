import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../store/expiring.ts';
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

/** Developers' registrations, per relay host, by developer id. */
const REGISTRATIONS: ExpiringSpec<Registration> = { name: 'relay-reg' };
/** OAuth states, per relay host, by state. */
const STATES: ExpiringSpec<StateMapping> = { name: 'relay-state' };
/** Signatures already used, per relay host, until they could no longer be fresh. */
const SEEN_SIGNATURES: ExpiringSpec<1> = { name: 'relay-sig' };

/** Seconds a consumed state still routes, so a browser retry of the callback lands in the same place. */
export const CONSUMED_GRACE_SECONDS = 30;

/**
 * Registrations and state mappings of one relay host (all relay routes of a host share them),
 * kept in the store's expiring records.
 */
export class RelayRegistry {
  readonly #regs: ExpiringCollection<Registration>;
  readonly #states: ExpiringCollection<StateMapping>;
  readonly #seen: ExpiringCollection<1>;

  constructor(store: EphemeralRepository, host: string) {
    this.#regs = expiringCollection(store, REGISTRATIONS, host);
    this.#states = expiringCollection(store, STATES, host);
    this.#seen = expiringCollection(store, SEEN_SIGNATURES, host);
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
    await this.#regs.put(developerId, registration, ttlSeconds * 1000);
    return registration;
  }

  async unregister(developerId: string): Promise<boolean> {
    return this.#regs.delete(developerId);
  }

  async get(developerId: string): Promise<Registration | undefined> {
    return this.#regs.get(developerId);
  }

  async list(): Promise<Registration[]> {
    return (await this.#regs.list()).map((r) => r.record);
  }

  /**
   * Remembers a signature until it could no longer be fresh; false when it was seen already, by
   * any operation (each signature is good for one request, whatever it asks).
   */
  async firstUse(signature: string, windowSeconds: number): Promise<boolean> {
    return this.#seen.putIfAbsent(signature.toLowerCase(), 1, windowSeconds * 2 * 1000);
  }

  /** Maps an OAuth state to a developer. */
  async mapState(state: string, developerId: string, ttlSeconds: number): Promise<void> {
    await this.#states.put(state, { developerId }, ttlSeconds * 1000);
  }

  /**
   * The developer a state belongs to. Using it marks it consumed: it keeps routing for
   * {@link CONSUMED_GRACE_SECONDS} (a retried callback), then is gone.
   */
  async consumeState(state: string, now: Date): Promise<string | undefined> {
    const mapping = await this.#states.get(state);
    if (mapping === undefined) return undefined;
    if (!mapping.consumedAt) {
      await this.#states.put(
        state,
        { ...mapping, consumedAt: now.toISOString() },
        CONSUMED_GRACE_SECONDS * 1000,
      );
    }
    return mapping.developerId;
  }
}
