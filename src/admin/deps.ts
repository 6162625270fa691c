import type { AdminKeys, AdminPrincipal, OAuthPrincipal } from '../auth/keys/admin-keys.ts';
import type { CertificateManager } from '../certs/certificate-manager.ts';
import type { Clock } from '../core/clock.ts';
import type { Metrics } from '../core/metrics.ts';
import type { RouteCatalog } from '../edge/routing/route-catalog.ts';
import type { RouteService } from '../edge/routing/route-service.ts';
import type { McpAudit } from '../mcp/route/mcp-audit.ts';
import type { RelayService } from '../relay/relay-service.ts';
import type { RequestRecorder } from '../store/request-recorder.ts';
import type { Store } from '../store/types.ts';
import type { VehicleStateReader } from '../telemetry/state/vehicle-state.ts';
import type { TunnelService } from '../tunnel/server/tunnel-service.ts';

/** What the admin API works with, passed in so handlers can be exercised in-process. */
export interface AdminDeps {
  readonly store: Store;
  readonly catalog: RouteCatalog;
  readonly routes: RouteService;
  readonly keys: AdminKeys;
  readonly tunnels: TunnelService;
  readonly relay: RelayService;
  /** The record of calls through MCP routes. */
  readonly mcpAudit: McpAudit;
  /** The request log's recorder (its live feed); undefined when the log is off. */
  readonly requestLog?: RequestRecorder | undefined;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Vehicle telemetry state: the receiver's when this node runs one, else the store's. */
  readonly vehicles: VehicleStateReader;
  /**
   * Checks a bearer that is not an API key as an OAuth access token for the admin API: the
   * principal, or undefined when it is not a valid token for this resource.
   */
  readonly oauthPrincipal?: (token: string) => Promise<OAuthPrincipal | undefined>;
  /** Rotates the authorization server's signing key; gives the key ids now published, current first. */
  readonly rotateSigningKey?: () => Promise<readonly string[]>;
  /** Automatic certificates, when ACME is on. */
  readonly certificates?: CertificateManager | undefined;
  /** False while the process is shutting down; `/readyz` then answers 503. */
  readonly accepting: () => boolean;
}

/** Hono environment of the admin API: the authenticated principal is in `principal`. */
export type AdminEnv = { Variables: { principal: AdminPrincipal } };
