import type { Redis } from 'ioredis';
import type { TunnelEventLog } from '../repositories.ts';
import { TUNNEL_EVENTS_KEPT, type TunnelEvent } from '../types.ts';

/** Tunnel audit trails in the shared store: a capped list per tunnel, newest first. */
export class RedisTunnelEvents implements TunnelEventLog {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}tunnel-events:`;
  }

  async append(name: string, event: TunnelEvent): Promise<void> {
    await this.#redis
      .multi()
      .lpush(this.#prefix + name, JSON.stringify(event))
      .ltrim(this.#prefix + name, 0, TUNNEL_EVENTS_KEPT - 1)
      .exec();
  }

  async recent(name: string, limit: number): Promise<TunnelEvent[]> {
    const items = await this.#redis.lrange(this.#prefix + name, 0, limit - 1);
    return items.map((json) => JSON.parse(json) as TunnelEvent);
  }

  async clear(name: string): Promise<void> {
    await this.#redis.del(this.#prefix + name);
  }
}
