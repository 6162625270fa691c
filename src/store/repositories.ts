import type { Collection } from './collection.ts';
import type { ApiKeyRecord, ApiKeyRepository, TunnelEvent, TunnelRecord, TunnelRepository } from './types.ts';

/** A tunnel's audit trail: the one backend-specific piece of the tunnel repository (a capped log). */
export interface TunnelEventLog {
  /** Appends, keeping the newest {@link TUNNEL_EVENTS_KEPT}. */
  append(name: string, event: TunnelEvent): Promise<void>;
  /** The newest events first. */
  recent(name: string, limit: number): Promise<TunnelEvent[]>;
  clear(name: string): Promise<void>;
}

/** Admin keys on their collection: found by hash, revoked once. */
export function apiKeyRepository(keys: Collection<ApiKeyRecord>): ApiKeyRepository {
  return {
    list: () => keys.list(),
    get: (id) => keys.get(id),
    findByHash: (hash) => keys.find('byhash', hash),
    insert: (key) => keys.insert(key),
    revoke: async (id, at) =>
      (await keys.update(id, (key) => (key.revokedAt ? undefined : { ...key, revokedAt: at }))) !== undefined,
  };
}

/** Tunnels on their collection, with the audit trail beside it. */
export function tunnelRepository(
  tunnels: Collection<TunnelRecord>,
  events: TunnelEventLog,
): TunnelRepository {
  return {
    list: () => tunnels.list(),
    get: (name) => tunnels.get(name),
    insert: (tunnel) => tunnels.insert(tunnel),
    setKey: async (name, keyHash, keyPrefix, at) =>
      (await tunnels.update(name, (t) => ({ ...t, keyHash, keyPrefix, keyRotatedAt: at }))) !== undefined,
    delete: async (name) => {
      const removed = await tunnels.delete(name);
      await events.clear(name);
      return removed;
    },
    addEvent: (name, event) => events.append(name, event),
    events: (name, limit) => events.recent(name, limit),
  };
}
