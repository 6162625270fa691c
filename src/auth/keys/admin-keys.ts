import { type Clock, dateOf, systemClock } from '../../core/clock.ts';
import { newId } from '../../core/ids.ts';
import type { ApiKeyRecord, Store } from '../../store/types.ts';
import { digestsEqual, displayPrefix, generateApiKey, hashApiKey } from './api-key.ts';

/** A person acting through an OAuth access token of Gatehouse's own authorization server. */
export interface OAuthPrincipal {
  readonly kind: 'oauth';
  /** The account the token was issued for (`github|123`). */
  readonly accountId: string;
  /** `<provider>:<login>`, for audit lines. */
  readonly login: string;
  readonly scopes: readonly string[];
}

/** Who made an admin request: a stored key, the key from `GATEHOUSE_ADMIN_KEY`, or an OAuth token. */
export type AdminPrincipal =
  | { readonly kind: 'key'; readonly key: ApiKeyRecord }
  | { readonly kind: 'env' }
  | OAuthPrincipal;

/** What owns what an admin principal creates (tunnels): the key id, `env`, or `account:<id>`. */
export function ownerOf(principal: AdminPrincipal): string {
  if (principal.kind === 'env') return 'env';
  return principal.kind === 'key' ? principal.key.id : `account:${principal.accountId}`;
}

/**
 * Admin API keys: authentication and the first-start bootstrap. The environment key, when set, is
 * compared by hash in constant time and never stored.
 */
export class AdminKeys {
  readonly #store: Store;
  readonly #envKeyHash: string | undefined;
  readonly #envKeyPrefix: string | undefined;
  readonly #clock: Clock;

  constructor(store: Store, envKey: string | undefined, clock: Clock = systemClock) {
    this.#store = store;
    this.#envKeyHash = envKey ? hashApiKey(envKey) : undefined;
    this.#envKeyPrefix = envKey ? displayPrefix(envKey) : undefined;
    this.#clock = clock;
  }

  /** True when a key is configured through the environment. */
  get hasEnvKey(): boolean {
    return this.#envKeyHash !== undefined;
  }

  /** The start of the environment's key, as listings show stored keys' (undefined without one). */
  get envKeyPrefix(): string | undefined {
    return this.#envKeyPrefix;
  }

  /** The principal the secret belongs to, or undefined when it is unknown or revoked. */
  async authenticate(secret: string): Promise<AdminPrincipal | undefined> {
    const hash = hashApiKey(secret);
    if (this.#envKeyHash && digestsEqual(hash, this.#envKeyHash)) return { kind: 'env' };
    const key = await this.#store.apiKeys.findByHash(hash);
    if (!key || key.revokedAt) return undefined;
    return { kind: 'key', key };
  }

  /**
   * On a first start without `GATEHOUSE_ADMIN_KEY` and with no active key, creates one and returns
   * its secret so it can be shown once. Otherwise returns undefined.
   */
  async bootstrap(): Promise<string | undefined> {
    if (this.#envKeyHash) return undefined;
    const keys = await this.#store.apiKeys.list();
    if (keys.some((k) => !k.revokedAt)) return undefined;
    const { secret } = await this.create('bootstrap');
    return secret;
  }

  /** Creates and stores a key; the secret is in the result and nowhere else. */
  async create(name: string): Promise<{ record: ApiKeyRecord; secret: string }> {
    const made = generateApiKey();
    const now = dateOf(this.#clock);
    const record: ApiKeyRecord = {
      id: newId(now.getTime()),
      name,
      prefix: made.prefix,
      hash: made.hash,
      createdAt: now.toISOString(),
    };
    await this.#store.apiKeys.insert(record);
    return { record, secret: made.secret };
  }
}
