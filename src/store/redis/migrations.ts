import type { Redis } from 'ioredis';

/**
 * Schema migrations for the shared store, applied in order; the count applied is kept at
 * `<prefix>schema`. Never edit a migration that has shipped: append a new one.
 */
export const REDIS_MIGRATIONS: readonly ((redis: Redis, prefix: string) => Promise<void>)[] = [
  // v1: routes and API keys live in hashes keyed by id; nothing to transform.
  async () => {},
  // v2: tunnels (hash) and their events (capped lists); nothing to transform.
  async () => {},
  // v3: ephemeral records (strings with expiry, indexed per namespace); nothing to transform.
  async () => {},
  // v4: every route names its kind; routes from before kinds are relays or proxies.
  async (redis, prefix) => {
    const routes = await redis.hgetall(`${prefix}routes`);
    for (const [id, json] of Object.entries(routes)) {
      const route = JSON.parse(json) as { kind?: string; relay?: unknown };
      if (route.kind !== undefined) continue;
      await redis.hset(
        `${prefix}routes`,
        id,
        JSON.stringify({ ...route, kind: route.relay ? 'relay' : 'proxy' }),
      );
    }
  },
  // v5: the request log (a capped stream); nothing to transform.
  async () => {},
];
