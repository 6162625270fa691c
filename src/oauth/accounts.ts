import {
  accountIdOf,
  type UpstreamGrant,
  type UpstreamIdentity,
  type UpstreamLogin,
} from '../identity/identity.ts';
import { byCreation, type CollectionSpec } from '../store/collection.ts';
import type { Store } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import { type SealingKey, seal, unseal } from '../util/sealing.ts';

/** A person who logged in: the identity last read from the provider and the grant to read it again. */
export interface AccountRecord {
  /** {@link accountIdOf} the identity: `<provider>|<subject>`. */
  readonly id: string;
  readonly identity: UpstreamIdentity;
  /** The upstream grant as JSON, sealed and bound to `id`. */
  readonly sealedGrant: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Accounts of the authorization server, by account id. */
export const OAUTH_ACCOUNTS: CollectionSpec<AccountRecord> = {
  name: 'oauthaccounts',
  topic: 'oauthAccounts',
  key: (a) => a.id,
  order: byCreation((a) => a.id),
};

/** Reads and writes accounts, sealing the upstream grants. */
export class Accounts {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sealKey: SealingKey;

  constructor(store: Store, clock: Clock, sealKey: SealingKey) {
    this.#store = store;
    this.#clock = clock;
    this.#sealKey = sealKey;
  }

  get #accounts() {
    return this.#store.collection(OAUTH_ACCOUNTS);
  }

  get(id: string): Promise<AccountRecord | undefined> {
    return this.#accounts.get(id);
  }

  /** The upstream grant of an account; undefined when it does not open (another secret key). */
  grantOf(account: AccountRecord): UpstreamGrant | undefined {
    const json = unseal(this.#sealKey, account.sealedGrant, account.id);
    return json === undefined ? undefined : (JSON.parse(json) as UpstreamGrant);
  }

  /** Stores the login's identity and grant, creating the account on first login. */
  async save(login: UpstreamLogin): Promise<AccountRecord> {
    const id = accountIdOf(login.identity);
    const now = new Date(this.#clock()).toISOString();
    const sealedGrant = seal(this.#sealKey, JSON.stringify(login.grant), id);
    const updated = await this.#accounts.update(id, (a) => ({
      ...a,
      identity: login.identity,
      sealedGrant,
      updatedAt: now,
    }));
    if (updated) return updated;
    const record: AccountRecord = {
      id,
      identity: login.identity,
      sealedGrant,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#accounts.insert(record);
    } catch {
      // Another node inserted the same person a moment ago: update theirs.
      return (await this.#accounts.update(id, (a) => ({ ...a, ...record, createdAt: a.createdAt })))!;
    }
    return record;
  }
}
