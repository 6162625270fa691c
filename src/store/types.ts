import type { Route } from '../routes/route.ts';
import type { Collection, CollectionSpec } from './collection.ts';
import type { RequestLogRepository } from './request-log.ts';

/** A stored admin API key. The secret itself is never stored, only its SHA-256. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** The first characters of the secret, shown in listings so people can tell keys apart. */
  readonly prefix: string;
  /** Hex SHA-256 of the whole secret. */
  readonly hash: string;
  readonly createdAt: string;
  readonly revokedAt?: string | undefined;
}

/** A Tesla account that logged in on a `fleet-login` route; its tokens are stored sealed. */
export interface TeslaAccountRecord {
  /** `<route id>:<Tesla's sub>`: each fleet-login route keeps its own grant of the user's. */
  readonly id: string;
  /** The Tesla region whose Fleet API serves the account. */
  readonly region: string;
  /** The scopes the user granted. */
  readonly scopes: readonly string[];
  /** Access and refresh token, sealed with the secret key (AES-256-GCM) and bound to `id`. */
  readonly sealedTokens: string;
  /** When the access token expires, in ms since the epoch. */
  readonly expiresAt: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Persistence of routes. Validation happens before a route reaches here. */
export interface RouteRepository {
  /** All routes, oldest first. */
  list(): Promise<Route[]>;
  get(id: string): Promise<Route | undefined>;
  /** Stores a new route; fails with `STORE_CONFLICT` if the id exists. */
  insert(route: Route): Promise<void>;
  /** Replaces an existing route; false when there is none with that id. */
  replace(route: Route): Promise<boolean>;
  /** Deletes a route; false when there is none with that id. */
  delete(id: string): Promise<boolean>;
  /** Read-modify-write without lost updates; see {@link Collection.update}. */
  update(id: string, change: (current: Route) => Route | undefined): Promise<Route | undefined>;
}

/** Persistence of admin API keys. */
export interface ApiKeyRepository {
  /** All keys, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Stores a new key; fails with `STORE_CONFLICT` if the id or hash exists. */
  insert(key: ApiKeyRecord): Promise<void>;
  /** Marks a key revoked; false when there is no such key or it was revoked already. */
  revoke(id: string, at: string): Promise<boolean>;
}

/** What changed, as told to every node sharing the store. */
export interface ChangeEvent {
  /** The {@link CollectionSpec.topic} of what changed: `routes`, `apiKeys`, `tunnels`, … */
  readonly topic: string;
}

/** Everything Gatehouse keeps, behind one interface with an embedded and a shared implementation. */
export interface Store {
  /** `sqlite` or `redis`, for logs and readiness output. */
  readonly kind: string;
  readonly routes: RouteRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly tunnels: TunnelRepository;
  readonly ephemeral: EphemeralRepository;
  /** Every request the edge answered, kept by age and count. */
  readonly requests: RequestLogRepository;
  /** The records of any declared entity; see {@link CollectionSpec}. */
  collection<T>(spec: CollectionSpec<T>): Collection<T>;
  /** Calls `listener` after any change, made by this node or (for shared stores) another. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /** Resolves when the store answers; rejects with `STORE_UNAVAILABLE` otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A tunnel identity: a stable name and the key its agent connects with (stored as a hash). */
export interface TunnelRecord {
  readonly name: string;
  /** Who created it: the id of the admin key, or `env` for `GATEHOUSE_ADMIN_KEY`. */
  readonly owner: string;
  readonly keyHash: string;
  readonly keyPrefix: string;
  readonly createdAt: string;
  readonly keyRotatedAt?: string | undefined;
}

/** One entry of a tunnel's audit trail. */
export interface TunnelEvent {
  readonly type: 'connect' | 'disconnect' | 'rejected';
  readonly at: string;
  readonly ip: string;
  readonly agentVersion?: string | undefined;
  /** Why a connection ended or was refused. */
  readonly reason?: string | undefined;
}

/** Persistence of tunnels and their audit trail. */
export interface TunnelRepository {
  list(): Promise<TunnelRecord[]>;
  get(name: string): Promise<TunnelRecord | undefined>;
  /** Stores a new tunnel; fails with `STORE_CONFLICT` if the name is taken. */
  insert(tunnel: TunnelRecord): Promise<void>;
  /** Replaces the key hash; false when there is no such tunnel. */
  setKey(name: string, keyHash: string, keyPrefix: string, at: string): Promise<boolean>;
  /** Deletes the tunnel and its events; false when there is no such tunnel. */
  delete(name: string): Promise<boolean>;
  /** Appends to the audit trail, keeping the newest {@link TUNNEL_EVENTS_KEPT}. */
  addEvent(name: string, event: TunnelEvent): Promise<void>;
  /** The newest events first. */
  events(name: string, limit: number): Promise<TunnelEvent[]>;
}

/** How many audit events are kept per tunnel. */
export const TUNNEL_EVENTS_KEPT = 500;

/**
 * Short-lived records that expire on their own: relay registrations, OAuth state mappings, seen
 * signatures. Keyed by namespace and key; an expired record is as good as absent.
 */
export interface EphemeralRepository {
  /** Stores `value` for `ttlMs`, replacing any record under the key. */
  put(namespace: string, key: string, value: string, ttlMs: number): Promise<void>;
  /** Like `put` for many records of a namespace, in one transaction or round trip rather than one each. */
  putMany(
    namespace: string,
    entries: readonly { key: string; value: string }[],
    ttlMs: number,
  ): Promise<void>;
  /** Stores only when no live record has the key; false when one does. Atomic across nodes. */
  putIfAbsent(namespace: string, key: string, value: string, ttlMs: number): Promise<boolean>;
  get(namespace: string, key: string): Promise<string | undefined>;
  /** Removes a record; false when there was none. */
  delete(namespace: string, key: string): Promise<boolean>;
  /** Removes a record only while it still holds `value` (a lease's owner); atomic across nodes. */
  deleteIf(namespace: string, key: string, value: string): Promise<boolean>;
  /** Live records of a namespace with their expiry time (ms since the epoch). */
  list(namespace: string): Promise<{ key: string; value: string; expiresAt: number }[]>;
}
