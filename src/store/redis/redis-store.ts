import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Route } from '../../routes/route.ts';
import { ChangeFeed } from '../change-feed.ts';
import { StoreError } from '../errors.ts';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  ChangeEvent,
  EphemeralRepository,
  RouteRepository,
  Store,
  TunnelRepository,
} from '../types.ts';
import { REDIS_MIGRATIONS } from './migrations.ts';
import { RedisEphemeral } from './redis-ephemeral.ts';
import { RedisTunnels } from './redis-tunnels.ts';

const REPLACE_IF_EXISTS = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

const INSERT_KEY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1`;

/** Options of {@link RedisStore.open}. */
export interface RedisStoreOptions {
  /** Prefix of every key, so several deployments can share one Redis. Default `gatehouse:`. */
  readonly prefix?: string;
}

/** Shared store on Redis: what several Gatehouse nodes use to see one configuration. */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly routes: RouteRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tunnels: TunnelRepository;
  readonly ephemeral: EphemeralRepository;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #feed = new ChangeFeed();
  readonly #nodeId = randomUUID();
  readonly #channel: string;
  readonly #prefix: string;

  /** Connects to `url` (`redis://[:password@]host:port[/db]`, `?prefix=` overrides the key prefix) and migrates. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const parsed = new URL(url);
    const prefix = parsed.searchParams.get('prefix') ?? options.prefix ?? 'gatehouse:';
    parsed.search = '';
    const connect = () =>
      new Redis(parsed.toString(), { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    const redis = connect();
    const subscriber = connect();
    // Errors surface through the commands that fail; without listeners ioredis would print them.
    redis.on('error', () => {});
    subscriber.on('error', () => {});
    try {
      await redis.connect();
      await subscriber.connect();
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      throw new StoreError('STORE_UNAVAILABLE', `cannot connect to Redis at ${parsed.host}`, {
        cause: error,
      });
    }
    const store = new RedisStore(redis, subscriber, prefix);
    await store.#migrate();
    await store.#listen();
    return store;
  }

  private constructor(redis: Redis, subscriber: Redis, prefix: string) {
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#channel = `${prefix}changes`;
    const notify = (topic: ChangeEvent['topic']) => this.#publish(topic);
    this.routes = new RedisRoutes(redis, `${prefix}routes`, () => notify('routes'));
    this.apiKeys = new RedisApiKeys(redis, prefix, () => notify('apiKeys'));
    this.tunnels = new RedisTunnels(redis, prefix, () => notify('tunnels'));
    this.ephemeral = new RedisEphemeral(redis, prefix);
    this.#prefix = prefix;
  }

  async #migrate(): Promise<void> {
    const key = `${this.#prefix}schema`;
    const current = Number((await this.#redis.get(key)) ?? '0');
    if (current > REDIS_MIGRATIONS.length) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `Redis holds schema version ${current} but this Gatehouse knows only up to ${REDIS_MIGRATIONS.length}; upgrade Gatehouse`,
      );
    }
    for (let version = current; version < REDIS_MIGRATIONS.length; version++) {
      await REDIS_MIGRATIONS[version]!(this.#redis, this.#prefix);
      await this.#redis.set(key, String(version + 1));
    }
  }

  async #listen(): Promise<void> {
    this.#subscriber.on('message', (_channel: string, message: string) => {
      const [origin, topic] = message.split(' ');
      if (origin === this.#nodeId) return;
      if (topic === 'routes' || topic === 'apiKeys' || topic === 'tunnels') this.#feed.emit({ topic });
    });
    await this.#subscriber.subscribe(this.#channel);
  }

  #publish(topic: ChangeEvent['topic']): void {
    // This node learns at once; the others through pub/sub.
    this.#feed.emit({ topic });
    this.#redis.publish(this.#channel, `${this.#nodeId} ${topic}`).catch(() => {});
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  async ping(): Promise<void> {
    try {
      await this.#redis.ping();
    } catch (error) {
      throw new StoreError('STORE_UNAVAILABLE', 'Redis does not answer', { cause: error });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#subscriber.quit(), this.#redis.quit()]);
  }
}

class RedisRoutes implements RouteRepository {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #changed: () => void;

  constructor(redis: Redis, key: string, changed: () => void) {
    this.#redis = redis;
    this.#key = key;
    this.#changed = changed;
  }

  async list(): Promise<Route[]> {
    const all = await this.#redis.hvals(this.#key);
    return all
      .map((json) => JSON.parse(json) as Route)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Route | undefined> {
    const json = await this.#redis.hget(this.#key, id);
    return json === null ? undefined : (JSON.parse(json) as Route);
  }

  async insert(route: Route): Promise<void> {
    const added = await this.#redis.hsetnx(this.#key, route.id, JSON.stringify(route));
    if (added === 0) throw new StoreError('STORE_CONFLICT', `route ${route.id} exists`);
    this.#changed();
  }

  async replace(route: Route): Promise<boolean> {
    const done = await this.#redis.eval(REPLACE_IF_EXISTS, 1, this.#key, route.id, JSON.stringify(route));
    if (done !== 1) return false;
    this.#changed();
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const removed = await this.#redis.hdel(this.#key, id);
    if (removed === 0) return false;
    this.#changed();
    return true;
  }
}

class RedisApiKeys implements ApiKeyRepository {
  readonly #redis: Redis;
  readonly #byId: string;
  readonly #byHash: string;
  readonly #changed: () => void;

  constructor(redis: Redis, prefix: string, changed: () => void) {
    this.#redis = redis;
    this.#byId = `${prefix}apikeys`;
    this.#byHash = `${prefix}apikeys:byhash`;
    this.#changed = changed;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const all = await this.#redis.hvals(this.#byId);
    return all
      .map((json) => JSON.parse(json) as ApiKeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const json = await this.#redis.hget(this.#byId, id);
    return json === null ? undefined : (JSON.parse(json) as ApiKeyRecord);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const id = await this.#redis.hget(this.#byHash, hash);
    return id === null ? undefined : this.get(id);
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    const done = await this.#redis.eval(
      INSERT_KEY,
      2,
      this.#byId,
      this.#byHash,
      key.id,
      key.hash,
      JSON.stringify(key),
    );
    if (done !== 1) throw new StoreError('STORE_CONFLICT', `API key ${key.id} exists`);
    this.#changed();
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const key = await this.get(id);
    if (!key || key.revokedAt) return false;
    const done = await this.#redis.eval(
      REPLACE_IF_EXISTS,
      1,
      this.#byId,
      id,
      JSON.stringify({ ...key, revokedAt: at }),
    );
    if (done !== 1) return false;
    this.#changed();
    return true;
  }
}
