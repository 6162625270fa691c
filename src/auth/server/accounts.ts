import type { Clock } from '../../core/clock.ts';
import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import { byCreation, type CollectionSpec } from '../../store/collection.ts';
import type { Store } from '../../store/types.ts';
import {
  accountIdOf,
  currentIdentity,
  type UpstreamGrant,
  type UpstreamIdentity,
  type UpstreamLogin,
} from '../identity/identity.ts';

/**
 * A person who logged in: the identity last read from the provider, and per OAuth app (a route may
 * have its own) the grant to read it again.
 */
export interface AccountRecord {
  /** {@link accountIdOf} the identity: `<provider>|<subject>`. */
  readonly id: string;
  readonly identity: UpstreamIdentity;
  /** The client ID of the app `identity` was last read through. */
  readonly app?: string;
  /** Upstream grants as JSON by app client ID, each sealed and bound to `id` and the app. */
  readonly sealedGrants?: Readonly<Record<string, string>>;
  /** The one grant of a record written before apps were told apart; bound to `id` alone. */
  readonly sealedGrant?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Grants kept per person; past it the app used longest ago is dropped (a rotated route app). */
const GRANTS_PER_ACCOUNT = 16;

const grantContext = (id: string, app: string) => `${id}\n${app}`;

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

  /** The account, its identity named as this version names people (see {@link currentIdentity}). */
  async get(id: string): Promise<AccountRecord | undefined> {
    const account = await this.#accounts.get(id);
    return account && { ...account, identity: currentIdentity(account.identity) };
  }

  /**
   * The account's upstream grant from this app; undefined when there is none (the person never
   * logged in through it) or it does not open (another secret key).
   */
  grantOf(account: AccountRecord, app: string): UpstreamGrant | undefined {
    const sealed = account.sealedGrants?.[app];
    const json = sealed
      ? unseal(this.#sealKey, sealed, grantContext(account.id, app))
      : account.sealedGrants === undefined && account.sealedGrant
        ? unseal(this.#sealKey, account.sealedGrant, account.id)
        : undefined;
    return json === undefined ? undefined : (JSON.parse(json) as UpstreamGrant);
  }

  /** Stores the identity and grant a login through `app` gave, creating the account on first login. */
  async save(login: UpstreamLogin, app: string): Promise<AccountRecord> {
    const id = accountIdOf(login.identity);
    const now = new Date(this.#clock()).toISOString();
    const sealed = seal(this.#sealKey, JSON.stringify(login.grant), grantContext(id, app));
    const withGrant = (grants: Readonly<Record<string, string>> = {}) => {
      // Most recent last, so the oldest is the first dropped.
      const { [app]: _replaced, ...others } = grants;
      const kept = Object.entries(others).slice(-(GRANTS_PER_ACCOUNT - 1));
      return { ...Object.fromEntries(kept), [app]: sealed };
    };
    const updated = await this.#accounts.update(id, ({ sealedGrant: _legacy, ...a }) => ({
      ...a,
      identity: login.identity,
      app,
      sealedGrants: withGrant(a.sealedGrants),
      updatedAt: now,
    }));
    if (updated) return updated;
    const record: AccountRecord = {
      id,
      identity: login.identity,
      app,
      sealedGrants: withGrant(),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#accounts.insert(record);
    } catch {
      // Another node inserted the same person a moment ago: update theirs.
      return (await this.#accounts.update(id, (a) => ({
        ...a,
        ...record,
        sealedGrants: { ...a.sealedGrants, ...record.sealedGrants },
        createdAt: a.createdAt,
      })))!;
    }
    return record;
  }
}
