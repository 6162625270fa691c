import type { AdminKeys, AdminPrincipal } from '../auth/admin-keys.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RelayService } from '../relay/relay-service.ts';
import type { RouteCatalog } from '../routing/route-catalog.ts';
import type { RouteService } from '../routing/route-service.ts';
import type { Store } from '../store/types.ts';
import type { VehicleStateReader } from '../telemetry/state/vehicle-state.ts';
import type { TunnelService } from '../tunnel/tunnel-service.ts';
import type { Clock } from '../util/clock.ts';

/** What the admin API works with, passed in so handlers can be exercised in-process. */
export interface AdminDeps {
  readonly store: Store;
  readonly catalog: RouteCatalog;
  readonly routes: RouteService;
  readonly keys: AdminKeys;
  readonly tunnels: TunnelService;
  readonly relay: RelayService;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Vehicle telemetry state: the receiver's when this node runs one, else the store's. */
  readonly vehicles: VehicleStateReader;
  /** False while the process is shutting down; `/readyz` then answers 503. */
  readonly accepting: () => boolean;
}

/** Hono environment of the admin API: the authenticated principal is in `principal`. */
export type AdminEnv = { Variables: { principal: AdminPrincipal } };
