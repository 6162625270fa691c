import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/config-error.ts';
import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import { byCreation, type CollectionSpec } from '../../store/collection.ts';
import type { Store } from '../../store/types.ts';

/** The one algorithm tokens are signed with; see the README for why not RS256 too. */
export const SIGNING_ALG = 'ES256';

/** A signing key of the authorization server; the private half is sealed with the secret key. */
export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly publicJwk: JWK;
  /** The private JWK as JSON, sealed (AES-256-GCM) and bound to `kid`. */
  readonly sealedPrivateJwk: string;
  readonly createdAt: string;
  /** When a newer key took over; the key still verifies until the tokens it signed expire. */
  readonly retiredAt?: string | undefined;
}

/** The signing keys every node shares. */
export const SIGNING_KEYS: CollectionSpec<SigningKeyRecord> = {
  name: 'oauthkeys',
  topic: 'oauthKeys',
  key: (k) => k.kid,
  order: byCreation((k) => k.kid),
};

/** The keys in force: `current` signs, all of `verifying` (current first) are in the JWKS. */
export interface KeySet {
  readonly current: SigningKeyRecord;
  readonly verifying: readonly SigningKeyRecord[];
}

/**
 * Generates, keeps and rotates the signing keys in the store. A retired key stays in the JWKS for
 * `keepRetiredMs` (the longest lifetime of anything it signed), then is deleted.
 */
export class SigningKeys {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sealKey: SealingKey;
  readonly #keepRetiredMs: number;

  constructor(options: { store: Store; clock: Clock; sealKey: SealingKey; keepRetiredMs: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#sealKey = options.sealKey;
    this.#keepRetiredMs = options.keepRetiredMs;
  }

  get #keys() {
    return this.#store.collection(SIGNING_KEYS);
  }

  /** The keys in force, generating the first one when the store has none. */
  async load(): Promise<KeySet> {
    const now = this.#clock();
    const all = await this.#keys.list();
    const verifying: SigningKeyRecord[] = [];
    for (const key of all) {
      if (key.retiredAt !== undefined && Date.parse(key.retiredAt) + this.#keepRetiredMs <= now) {
        await this.#keys.delete(key.kid);
        continue;
      }
      verifying.push(key);
    }
    // Newest active first: with two nodes racing on a first start, both converge on one key.
    const active = verifying.filter((k) => k.retiredAt === undefined).sort((a, b) => -byAge(a, b));
    const current = active[0] ?? (await this.#generate());
    return { current, verifying: [current, ...verifying.filter((k) => k.kid !== current.kid)] };
  }

  /** Makes a new current key; the previous ones retire (still verifying until their tokens expire). */
  async rotate(): Promise<KeySet> {
    const fresh = await this.#generate();
    const at = new Date(this.#clock()).toISOString();
    for (const key of await this.#keys.list()) {
      if (key.kid === fresh.kid || key.retiredAt !== undefined) continue;
      await this.#keys.update(key.kid, (k) =>
        k.retiredAt === undefined ? { ...k, retiredAt: at } : undefined,
      );
    }
    return this.load();
  }

  /** The private JWK of a key, for signing. */
  privateJwk(key: SigningKeyRecord): JWK {
    const json = unseal(this.#sealKey, key.sealedPrivateJwk, key.kid);
    if (json === undefined)
      throw new ConfigError(
        `signing key ${key.kid} does not open with this secret key: every node needs the same GATEHOUSE_SECRET_KEY`,
        { field: 'secretKey' },
      );
    return { ...(JSON.parse(json) as JWK), kid: key.kid, alg: key.alg, use: 'sig' };
  }

  async #generate(): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = `${new Date(this.#clock()).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const record: SigningKeyRecord = {
      kid,
      alg: SIGNING_ALG,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' },
      sealedPrivateJwk: seal(this.#sealKey, JSON.stringify(await exportJWK(privateKey)), kid),
      createdAt: new Date(this.#clock()).toISOString(),
    };
    await this.#keys.insert(record);
    return record;
  }
}

function byAge(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.createdAt.localeCompare(b.createdAt) || a.kid.localeCompare(b.kid);
}

/** The public JWKS of a key set. */
export function publicJwks(keys: KeySet): JSONWebKeySet {
  return { keys: keys.verifying.map((k) => k.publicJwk) };
}
