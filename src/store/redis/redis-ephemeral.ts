import type { Redis } from 'ioredis';
import type { EphemeralRepository } from '../types.ts';

/**
 * Expiring records in the shared store: each a Redis string with a PX expiry, plus a sorted set
 * per namespace (scored by expiry) so a namespace can be listed without scanning the keyspace.
 */
export class RedisEphemeral implements EphemeralRepository {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}eph:`;
  }

  #key(namespace: string, key: string): string {
    return `${this.#prefix}${namespace}:${key}`;
  }

  #index(namespace: string): string {
    return `${this.#prefix}${namespace}`;
  }

  async put(namespace: string, key: string, value: string, ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    await this.#redis
      .multi()
      .set(this.#key(namespace, key), JSON.stringify({ value, expiresAt }), 'PX', ttlMs)
      .zadd(this.#index(namespace), expiresAt, key)
      .exec();
  }

  async putMany(namespace: string, entries: readonly { key: string; value: string }[], ttlMs: number) {
    if (entries.length === 0) return;
    const expiresAt = Date.now() + ttlMs;
    const multi = this.#redis.multi();
    for (const { key, value } of entries)
      multi.set(this.#key(namespace, key), JSON.stringify({ value, expiresAt }), 'PX', ttlMs);
    multi.zadd(this.#index(namespace), ...entries.flatMap(({ key }) => [expiresAt, key]));
    await multi.exec();
  }

  async putIfAbsent(namespace: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    const expiresAt = Date.now() + ttlMs;
    const set = await this.#redis.set(
      this.#key(namespace, key),
      JSON.stringify({ value, expiresAt }),
      'PX',
      ttlMs,
      'NX',
    );
    if (set !== 'OK') return false;
    await this.#redis.zadd(this.#index(namespace), expiresAt, key);
    return true;
  }

  async get(namespace: string, key: string): Promise<string | undefined> {
    const json = await this.#redis.get(this.#key(namespace, key));
    return json === null ? undefined : (JSON.parse(json) as { value: string }).value;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const [[, removed]] = (await this.#redis
      .multi()
      .del(this.#key(namespace, key))
      .zrem(this.#index(namespace), key)
      .exec()) as [[unknown, number], [unknown, number]];
    return removed === 1;
  }

  async deleteIf(namespace: string, key: string, value: string): Promise<boolean> {
    // Compare and delete in one step on the server: between a GET and a DEL another node's
    // record could take the key's place.
    const removed = (await this.#redis.eval(
      DELETE_IF_SCRIPT,
      2,
      this.#key(namespace, key),
      this.#index(namespace),
      value,
      key,
    )) as number;
    return removed === 1;
  }

  async list(namespace: string): Promise<{ key: string; value: string; expiresAt: number }[]> {
    await this.#redis.zremrangebyscore(this.#index(namespace), '-inf', String(Date.now()));
    const keys = (await this.#redis.zrange(this.#index(namespace), '0', '-1')).sort();
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(keys.map((k) => this.#key(namespace, k)));
    const out: { key: string; value: string; expiresAt: number }[] = [];
    keys.forEach((key, i) => {
      const json = values[i];
      if (json) {
        const parsed = JSON.parse(json) as { value: string; expiresAt: number };
        out.push({ key, value: parsed.value, expiresAt: parsed.expiresAt });
      }
    });
    return out;
  }
}

/** Deletes KEYS[1] (and its index entry ARGV[2] in KEYS[2]) only while its value is ARGV[1]. */
const DELETE_IF_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
if cjson.decode(stored).value ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`;
