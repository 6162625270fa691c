import type { Redis } from 'ioredis';
import type { Collection, CollectionSpec } from '../collection.ts';
import { StoreError } from '../errors.ts';

// KEYS[1] the records hash, KEYS[2..] the unique-key hashes; ARGV[1] key, ARGV[2] JSON, ARGV[3..] unique values.
const INSERT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
for i = 2, #KEYS do
  if redis.call('HEXISTS', KEYS[i], ARGV[i + 1]) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 2, #KEYS do redis.call('HSET', KEYS[i], ARGV[i + 1], ARGV[1]) end
return 1`;

const REPLACE_IF_EXISTS = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

// Compare-and-set: writes only if the record is still what the caller read.
const REPLACE_IF_UNCHANGED = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

// KEYS as for INSERT; ARGV[1] key, ARGV[2..] unique values to release.
const DELETE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('HDEL', KEYS[i], ARGV[i]) end
return 1`;

/** Any collection in the shared store: a hash of JSON records, plus a hash per unique key. */
export class RedisCollection<T> implements Collection<T> {
  readonly #redis: Redis;
  readonly #spec: CollectionSpec<T>;
  readonly #key: string;
  readonly #indexes: readonly [name: string, key: string, of: (record: T) => string][];
  readonly #changed: () => void;

  constructor(redis: Redis, prefix: string, spec: CollectionSpec<T>, changed: () => void) {
    this.#redis = redis;
    this.#spec = spec;
    this.#key = `${prefix}${spec.name}`;
    this.#indexes = Object.entries(spec.unique ?? {}).map(([name, of]) => [name, `${this.#key}:${name}`, of]);
    this.#changed = changed;
  }

  async list(): Promise<T[]> {
    return (await this.#redis.hvals(this.#key)).map((json) => JSON.parse(json) as T).sort(this.#spec.order);
  }

  async get(key: string): Promise<T | undefined> {
    const json = await this.#redis.hget(this.#key, key);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async find(index: string, value: string): Promise<T | undefined> {
    const entry = this.#indexes.find(([name]) => name === index);
    if (!entry) throw new Error(`${this.#spec.name} has no unique key ${index}`);
    const key = await this.#redis.hget(entry[1], value);
    return key === null ? undefined : this.get(key);
  }

  async insert(record: T): Promise<void> {
    const key = this.#spec.key(record);
    const done = await this.#redis.eval(
      INSERT,
      1 + this.#indexes.length,
      this.#key,
      ...this.#indexes.map(([, indexKey]) => indexKey),
      key,
      JSON.stringify(record),
      ...this.#indexes.map(([, , of]) => of(record)),
    );
    if (done !== 1)
      throw new StoreError('STORE_CONFLICT', `${this.#spec.name}: ${key} or one of its unique keys exists`);
    this.#changed();
  }

  async replace(record: T): Promise<boolean> {
    const done = await this.#redis.eval(
      REPLACE_IF_EXISTS,
      1,
      this.#key,
      this.#spec.key(record),
      JSON.stringify(record),
    );
    if (done !== 1) return false;
    this.#changed();
    return true;
  }

  async update(key: string, change: (current: T) => T | undefined): Promise<T | undefined> {
    // Optimistic: another node may write between the read and the write; then read again.
    for (let attempt = 0; attempt < 20; attempt++) {
      const json = await this.#redis.hget(this.#key, key);
      if (json === null) return undefined;
      const next = change(JSON.parse(json) as T);
      if (next === undefined) return undefined;
      if (
        (await this.#redis.eval(REPLACE_IF_UNCHANGED, 1, this.#key, key, json, JSON.stringify(next))) === 1
      ) {
        this.#changed();
        return next;
      }
    }
    throw new StoreError('STORE_UNAVAILABLE', `${this.#spec.name}: ${key} keeps changing; try again`);
  }

  async delete(key: string): Promise<boolean> {
    const current = await this.get(key);
    if (current === undefined) return false;
    const done = await this.#redis.eval(
      DELETE,
      1 + this.#indexes.length,
      this.#key,
      ...this.#indexes.map(([, indexKey]) => indexKey),
      key,
      ...this.#indexes.map(([, , of]) => of(current)),
    );
    if (done !== 1) return false;
    this.#changed();
    return true;
  }
}
