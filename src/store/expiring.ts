import type { EphemeralRepository } from './types.ts';

/**
 * One kind of short-lived record (relay registrations, OAuth states, webhook deliveries), declared
 * once; both backends serve it through their expiring records. `T` is the record's type.
 */
export interface ExpiringSpec<T> {
  /** The records' namespace; a scope (a relay host, a route) is appended as `<name>:<scope>`. */
  readonly name: string;
  /** Carries `T`; never set. */
  readonly record?: T;
  /** Writes a record as JSON, when the kind knows a cheaper way than `JSON.stringify` (same text). */
  readonly serialize?: (record: T) => string;
}

/** The records of one {@link ExpiringSpec} in one scope; an expired record is as good as absent. */
export interface ExpiringCollection<T> {
  /** Stores a record for `ttlMs`, replacing any under the key. */
  put(key: string, record: T, ttlMs: number): Promise<void>;
  /** Stores several records for `ttlMs` in one transaction or round trip, replacing any under their keys. */
  putMany(records: readonly { key: string; record: T }[], ttlMs: number): Promise<void>;
  /** Stores only when no live record has the key; false when one does. Atomic across nodes. */
  putIfAbsent(key: string, record: T, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<T | undefined>;
  /** Removes a record; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Removes a record only while it is still `record` (as stored: the same JSON); atomic across nodes. */
  deleteIf(key: string, record: T): Promise<boolean>;
  /** The live records, by key, with their expiry (ms since the epoch). */
  list(): Promise<{ key: string; record: T; expiresAt: number }[]>;
}

/** The records of `spec` in `scope`, stored as JSON in the store's expiring records. */
export function expiringCollection<T>(
  ephemeral: EphemeralRepository,
  spec: ExpiringSpec<T>,
  scope?: string,
): ExpiringCollection<T> {
  const namespace = scope === undefined ? spec.name : `${spec.name}:${scope}`;
  const parse = (json: string) => JSON.parse(json) as T;
  const serialize: (record: T) => string = spec.serialize ?? JSON.stringify;
  return {
    put: (key, record, ttlMs) => ephemeral.put(namespace, key, serialize(record), ttlMs),
    putMany: (records, ttlMs) =>
      ephemeral.putMany(
        namespace,
        records.map(({ key, record }) => ({ key, value: serialize(record) })),
        ttlMs,
      ),
    putIfAbsent: (key, record, ttlMs) => ephemeral.putIfAbsent(namespace, key, serialize(record), ttlMs),
    get: async (key) => {
      const json = await ephemeral.get(namespace, key);
      return json === undefined ? undefined : parse(json);
    },
    delete: (key) => ephemeral.delete(namespace, key),
    deleteIf: (key, record) => ephemeral.deleteIf(namespace, key, serialize(record)),
    list: async () =>
      (await ephemeral.list(namespace)).map(({ key, value, expiresAt }) => ({
        key,
        record: parse(value),
        expiresAt,
      })),
  };
}
