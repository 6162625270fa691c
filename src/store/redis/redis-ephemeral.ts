import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../../core/clock.ts';
import type { EphemeralRepository } from '../types.ts';

/**
 * Expiring records in the shared store: each a Redis string holding its value and expiry, plus a
 * sorted set per namespace (scored by expiry) so a namespace can be listed without scanning the
 * keyspace. The injected clock decides when a record has expired, as in the embedded store; the
 * same TTL given to Redis as PX, on Redis's own clock, frees the memory of records nobody reads.
 */
export class RedisEphemeral implements EphemeralRepository {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: Clock;

  constructor(redis: Redis, prefix: string, now: Clock = systemClock) {
    this.#redis = redis;
    this.#prefix = `${prefix}eph:`;
    this.#now = now;
  }

  #key(namespace: string, key: string): string {
    return `${this.#prefix}${namespace}:${key}`;
  }

  #index(namespace: string): string {
    return `${this.#prefix}${namespace}`;
  }

  async put(namespace: string, key: string, value: string, ttlMs: number): Promise<void> {
    const expiresAt = this.#now() + ttlMs;
    await this.#redis
      .multi()
      .set(this.#key(namespace, key), JSON.stringify({ value, expiresAt }), 'PX', ttlMs)
      .zadd(this.#index(namespace), expiresAt, key)
      .exec();
  }

  async putMany(namespace: string, entries: readonly { key: string; value: string }[], ttlMs: number) {
    if (entries.length === 0) return;
    const expiresAt = this.#now() + ttlMs;
    const multi = this.#redis.multi();
    for (const { key, value } of entries)
      multi.set(this.#key(namespace, key), JSON.stringify({ value, expiresAt }), 'PX', ttlMs);
    multi.zadd(this.#index(namespace), ...entries.flatMap(({ key }) => [expiresAt, key]));
    await multi.exec();
  }

  async putIfAbsent(namespace: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    // Check and write in one step on the server: a record the clock has expired does not count.
    const set = (await this.#redis.eval(
      PUT_IF_ABSENT_SCRIPT,
      2,
      this.#key(namespace, key),
      this.#index(namespace),
      JSON.stringify({ value, expiresAt: now + ttlMs }),
      String(ttlMs),
      String(now),
      String(now + ttlMs),
      key,
    )) as number;
    return set === 1;
  }

  async get(namespace: string, key: string): Promise<string | undefined> {
    const json = await this.#redis.get(this.#key(namespace, key));
    if (json === null) return undefined;
    const record = JSON.parse(json) as { value: string; expiresAt: number };
    return record.expiresAt > this.#now() ? record.value : undefined;
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.#deleteLive(namespace, key, undefined);
  }

  async deleteIf(namespace: string, key: string, value: string): Promise<boolean> {
    return this.#deleteLive(namespace, key, value);
  }

  /**
   * Removes a record (only while it holds `value`, when given); true when it was live. Compare and
   * delete in one step on the server: between a GET and a DEL another node's record could take the
   * key's place.
   */
  async #deleteLive(namespace: string, key: string, value: string | undefined): Promise<boolean> {
    const removed = (await this.#redis.eval(
      DELETE_SCRIPT,
      2,
      this.#key(namespace, key),
      this.#index(namespace),
      String(this.#now()),
      key,
      ...(value === undefined ? [] : [value]),
    )) as number;
    return removed === 1;
  }

  async list(namespace: string): Promise<{ key: string; value: string; expiresAt: number }[]> {
    await this.#redis.zremrangebyscore(this.#index(namespace), '-inf', String(this.#now()));
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

/**
 * Stores ARGV[1] under KEYS[1] for ARGV[2] ms (indexed in KEYS[2] as ARGV[5], scored ARGV[4])
 * unless a record there is still live at ARGV[3]; 1 when it stored.
 */
const PUT_IF_ABSENT_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if stored and cjson.decode(stored).expiresAt > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return 1
`;

/**
 * Deletes KEYS[1] and its index entry ARGV[2] in KEYS[2], when given only while its value is
 * ARGV[3]; 1 when the record was live at ARGV[1]. An expired record is dropped either way.
 */
const DELETE_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local record = cjson.decode(stored)
local live = record.expiresAt > tonumber(ARGV[1])
if live and ARGV[3] and record.value ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if live then return 1 end
return 0
`;
