import type { AdminKeys } from '../auth/admin-keys.ts';
import type { RouteCatalog } from '../edge/route-catalog.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Store } from '../store/types.ts';

/** What the admin API works with, passed in so handlers can be exercised in-process. */
export interface AdminDeps {
  readonly store: Store;
  readonly catalog: RouteCatalog;
  readonly keys: AdminKeys;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** False while the process is shutting down; `/readyz` then answers 503. */
  readonly accepting: () => boolean;
}
