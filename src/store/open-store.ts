import type { Clock } from '../core/clock.ts';
import { RedisStore } from './redis/redis-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

/** Opens the shared Redis store when `storeUrl` is given, else the embedded SQLite store in `dataDir`. */
export async function openStore(options: {
  storeUrl?: string | undefined;
  dataDir: string;
  /** When short-lived records expire, in either store. */
  clock?: Clock;
}): Promise<Store> {
  if (options.storeUrl) return RedisStore.open(options.storeUrl, { clock: options.clock });
  return SqliteStore.open(options.dataDir, options.clock);
}
