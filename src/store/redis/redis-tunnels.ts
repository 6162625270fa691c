import type { Redis } from 'ioredis';
import { StoreError } from '../errors.ts';
import { TUNNEL_EVENTS_KEPT, type TunnelEvent, type TunnelRecord, type TunnelRepository } from '../types.ts';

const SET_KEY = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return 0 end
local t = cjson.decode(json)
t.keyHash = ARGV[2]
t.keyPrefix = ARGV[3]
t.keyRotatedAt = ARGV[4]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(t))
return 1`;

/** Tunnels in the shared store: a hash of records and a capped list of events per tunnel. */
export class RedisTunnels implements TunnelRepository {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #eventsPrefix: string;
  readonly #changed: () => void;

  constructor(redis: Redis, prefix: string, changed: () => void) {
    this.#redis = redis;
    this.#key = `${prefix}tunnels`;
    this.#eventsPrefix = `${prefix}tunnel-events:`;
    this.#changed = changed;
  }

  async list(): Promise<TunnelRecord[]> {
    return (await this.#redis.hvals(this.#key))
      .map((json) => JSON.parse(json) as TunnelRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<TunnelRecord | undefined> {
    const json = await this.#redis.hget(this.#key, name);
    return json === null ? undefined : (JSON.parse(json) as TunnelRecord);
  }

  async insert(tunnel: TunnelRecord): Promise<void> {
    if ((await this.#redis.hsetnx(this.#key, tunnel.name, JSON.stringify(tunnel))) === 0) {
      throw new StoreError('STORE_CONFLICT', `tunnel ${tunnel.name} exists`);
    }
    this.#changed();
  }

  async setKey(name: string, keyHash: string, keyPrefix: string, at: string): Promise<boolean> {
    const done = await this.#redis.eval(SET_KEY, 1, this.#key, name, keyHash, keyPrefix, at);
    if (done !== 1) return false;
    this.#changed();
    return true;
  }

  async delete(name: string): Promise<boolean> {
    const [[, removed]] = (await this.#redis
      .multi()
      .hdel(this.#key, name)
      .del(this.#eventsPrefix + name)
      .exec()) as [[unknown, number], [unknown, number]];
    if (removed === 0) return false;
    this.#changed();
    return true;
  }

  async addEvent(name: string, event: TunnelEvent): Promise<void> {
    await this.#redis
      .multi()
      .lpush(this.#eventsPrefix + name, JSON.stringify(event))
      .ltrim(this.#eventsPrefix + name, 0, TUNNEL_EVENTS_KEPT - 1)
      .exec();
  }

  async events(name: string, limit: number): Promise<TunnelEvent[]> {
    const items = await this.#redis.lrange(this.#eventsPrefix + name, 0, limit - 1);
    return items.map((json) => JSON.parse(json) as TunnelEvent);
  }
}
