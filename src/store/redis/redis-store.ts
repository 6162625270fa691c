import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Clock, systemClock } from '../../core/clock.ts';
import { ChangeFeed } from '../change-feed.ts';
import type { Collection, CollectionSpec } from '../collection.ts';
import { API_KEYS, ROUTES, TUNNELS } from '../entities.ts';
import { StoreError } from '../errors.ts';
import { apiKeyRepository, tunnelRepository } from '../repositories.ts';
import type { RequestLogRepository } from '../request-log.ts';
import type {
  ApiKeyRepository,
  ChangeEvent,
  EphemeralRepository,
  RouteRepository,
  Store,
  TunnelRepository,
} from '../types.ts';
import { REDIS_MIGRATIONS } from './migrations.ts';
import { RedisCollection } from './redis-collection.ts';
import { RedisEphemeral } from './redis-ephemeral.ts';
import { RedisRequestLog } from './redis-request-log.ts';
import { RedisTunnelEvents } from './redis-tunnel-events.ts';

/** Options of {@link RedisStore.open}. */
export interface RedisStoreOptions {
  /** Prefix of every key, so several deployments can share one Redis. Default `gatehouse:`. */
  readonly prefix?: string;
  /** When short-lived records expire. Default: the wall clock. */
  readonly clock?: Clock | undefined;
}

/** Shared store on Redis: what several Gatehouse nodes use to see one configuration. */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly routes: RouteRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tunnels: TunnelRepository;
  readonly ephemeral: EphemeralRepository;
  readonly requests: RequestLogRepository;
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
    const store = new RedisStore(redis, subscriber, prefix, options.clock ?? systemClock);
    await store.#migrate();
    await store.#listen();
    return store;
  }

  private constructor(redis: Redis, subscriber: Redis, prefix: string, clock: Clock) {
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#channel = `${prefix}changes`;
    this.#prefix = prefix;
    this.routes = this.collection(ROUTES);
    this.apiKeys = apiKeyRepository(this.collection(API_KEYS));
    this.tunnels = tunnelRepository(this.collection(TUNNELS), new RedisTunnelEvents(redis, prefix));
    this.ephemeral = new RedisEphemeral(redis, prefix, clock);
    this.requests = new RedisRequestLog(redis, prefix);
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
      if (topic) this.#feed.emit({ topic });
    });
    await this.#subscriber.subscribe(this.#channel);
  }

  collection<T>(spec: CollectionSpec<T>): Collection<T> {
    return new RedisCollection(this.#redis, this.#prefix, spec, () => this.#publish(spec.topic));
  }

  #publish(topic: string): void {
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
