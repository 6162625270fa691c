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
];
