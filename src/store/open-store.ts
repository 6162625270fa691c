import type { Clock } from '../core/clock.ts';
import { RedisStore } from './redis/redis-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

/** Opens the shared Redis store when `storeUrl` is given, else the embedded SQLite store in `dataDir`. */
export async function openStore(options: {
  storeUrl?: string | undefined;
  dataDir: string;
  /** Expiry of short-lived records in the embedded store; Redis expires them on its own clock. */
  clock?: Clock;
}): Promise<Store> {
  if (options.storeUrl) return RedisStore.open(options.storeUrl);
  return SqliteStore.open(options.dataDir, options.clock);
}
