/**
 * One kind of stored record, declared once; both backends serve any declaration, so a new entity
 * costs one {@link CollectionSpec} and no backend code.
 */
export interface CollectionSpec<T> {
  /** Where the records live: the collection name in SQLite, the hash `<prefix><name>` in Redis. */
  readonly name: string;
  /** The change topic every write announces to all nodes. */
  readonly topic: string;
  /** The record's primary key. */
  readonly key: (record: T) => string;
  /**
   * Other keys that must be unique across the collection, by index name (stored in Redis as
   * `<prefix><name>:<index>`). They are set when a record is inserted and never change.
   */
  readonly unique?: Readonly<Record<string, (record: T) => string>>;
  /** The order {@link Collection.list} returns. */
  readonly order: (a: T, b: T) => number;
}

/** The records of one {@link CollectionSpec}. */
export interface Collection<T> {
  /** Every record, in the spec's order. */
  list(): Promise<T[]>;
  get(key: string): Promise<T | undefined>;
  /** The record whose unique key `index` has `value`. */
  find(index: string, value: string): Promise<T | undefined>;
  /** Stores a new record; `STORE_CONFLICT` when its key or a unique key is taken. */
  insert(record: T): Promise<void>;
  /** Replaces a record with the same key; false when there is none. */
  replace(record: T): Promise<boolean>;
  /**
   * Read-modify-write without lost updates: `change` gets the current record and returns the
   * next, or undefined to leave it as it is. Resolves with what was written, or undefined.
   */
  update(key: string, change: (current: T) => T | undefined): Promise<T | undefined>;
  /** Deletes a record; false when there was none. */
  delete(key: string): Promise<boolean>;
}

/** What a backend offers: the collection for any spec. */
export interface CollectionHost {
  collection<T>(spec: CollectionSpec<T>): Collection<T>;
}

/** List order by an ISO `createdAt`, then by key: the order every entity uses. */
export function byCreation<T extends { readonly createdAt: string }>(key: (record: T) => string) {
  return (a: T, b: T): number => a.createdAt.localeCompare(b.createdAt) || key(a).localeCompare(key(b));
}
