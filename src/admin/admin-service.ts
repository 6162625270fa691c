import { type AdminPrincipal, ownerOf } from '../auth/keys/admin-keys.ts';
import { publicRoute } from '../auth/route/route-secrets.ts';
import { dateOf } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { publicDelivery } from '../relay/deliveries.ts';
import { RelayRegistry } from '../relay/registrations.ts';
import type { Route, RouteInput, RoutePatch } from '../routes/route.ts';
import { matchesRequest, type RequestFilter, type RequestRecord } from '../store/request-log.ts';
import { TunnelError } from '../tunnel/protocol/errors.ts';
import { certificateService } from './certificate-service.ts';
import type { AdminDeps } from './deps.ts';
import { AdminError } from './errors.ts';
import { ENV_KEY_ID, environmentKey, publicKey } from './public-key.ts';
import { analyticsOf, windowOf } from './request-queries.ts';

/** Most records one analytics answer reads: the window's newest when there are more. */
const ANALYTICS_MAX_RECORDS = 200_000;

/** What the stores' cursors look like: a row number (base 36) or a stream entry id. */
const CURSOR = /^(?:[0-9a-z]{1,16}|\d{1,16}-\d{1,16})$/;

/** What a VIN may be: a certificate CN with `.` made `-`. */
const VIN = /^[A-Za-z0-9-]{1,64}$/;

/** Most items one page of a listing holds. */
const MAX_LIST = 500;

/** A list size asked for: 100 when left out, else a whole number from 1 to 500 (anything else is refused). */
export function listLimit(asked: unknown): number {
  if (asked === undefined || asked === '') return 100;
  const limit = Number(asked);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
    throw new AdminError(
      'VALIDATION_FAILED',
      `limit must be a whole number from 1 to ${MAX_LIST} (100 when left out), not ${JSON.stringify(String(asked).slice(0, 20))}`,
      { field: 'limit' },
    );
  return limit;
}

/**
 * Everything the admin API does, as plain functions over {@link AdminDeps}: the HTTP API and the
 * MCP tools both call these, so the two can never do different things.
 */
export function adminService(deps: AdminDeps) {
  const routes = deps.routes;
  const route = (id: string): Promise<Route> => routes.get(id);
  const redactOf = (r: Route) => (r.kind === 'relay' ? r.relay.webhooks?.redactHeaders : undefined);
  const tunnelRecord = async (name: string) => {
    const record = await deps.store.tunnels.get(name);
    if (!record) throw new TunnelError('TUNNEL_NOT_FOUND', `no tunnel named ${name}`, { field: 'name' });
    return record;
  };

  const requestLog = () => {
    if (!deps.requestLog)
      throw new AdminError(
        'REQUEST_LOG_OFF',
        'the request log is off on this node: start Gatehouse with --request-log on to record requests',
      );
    return deps.requestLog;
  };

  return {
    ...certificateService(deps),

    /** Whether this node serves, its store answers, and how much it carries. */
    async health() {
      let store: 'ok' | 'unavailable' = 'ok';
      try {
        await deps.store.ping();
      } catch {
        store = 'unavailable';
      }
      const tunnels = await deps.store.tunnels.list();
      return {
        status: !deps.accepting() ? 'shutting down' : store === 'ok' ? 'ready' : 'store unavailable',
        version: VERSION,
        store: { kind: deps.store.kind, status: store },
        routes: deps.catalog.table.size,
        tunnels: tunnels.length,
        // On this node: a health check stays one node's business, and cheap.
        tunnelsOnline: tunnels.filter((t) => deps.tunnels.view(t).online).length,
      };
    },

    /** Every route, secrets shown as `(set)`. */
    listRoutes: async () => (await routes.list()).map(publicRoute),
    getRoute: async (id: string) => publicRoute(await route(id)),
    createRoute: async (input: RouteInput) => publicRoute(await routes.create(input)),
    updateRoute: async (id: string, patch: RoutePatch) => publicRoute(await routes.update(id, patch)),
    deleteRoute: (id: string) => routes.delete(id),

    /** The webhooks a relay route received, newest first, credentials redacted. */
    async deliveries(routeId: string, limit: number) {
      const r = await route(routeId);
      return (await deps.relay.webhooks.deliveries(r.id, limit)).map((d) => publicDelivery(d, redactOf(r)));
    },
    async delivery(routeId: string, deliveryId: string) {
      const r = await route(routeId);
      const found = await deps.relay.webhooks.delivery(r.id, deliveryId);
      if (!found) throw new AdminError('NOT_FOUND', `no delivery ${deliveryId} on route ${r.id}`);
      return publicDelivery(found, redactOf(r));
    },
    async replay(routeId: string, deliveryId: string, developerId: string) {
      return deps.relay.webhooks.replay(await route(routeId), deliveryId, developerId);
    },
    /** The developers registered with a relay route's host now, and where each one's requests go. */
    async relayRegistrations(routeId: string) {
      const r = await route(routeId);
      if (r.kind !== 'relay')
        throw new AdminError('VALIDATION_FAILED', `route ${r.id} is a ${r.kind} route, not a relay route`, {
          field: 'route_id',
        });
      return new RelayRegistry(deps.store.ephemeral, r.host).list();
    },

    /** The calls through an MCP route, newest first: who, what, a hash of the arguments, outcome, duration. */
    async mcpCalls(routeId: string, limit: number) {
      const r = await route(routeId);
      if (r.kind !== 'mcp')
        throw new AdminError('VALIDATION_FAILED', `route ${r.id} is a ${r.kind} route, not an mcp route`, {
          field: 'route_id',
        });
      return deps.mcpAudit.calls(r.id, limit);
    },

    /** Every tunnel with its live state. */
    listTunnels: async () => deps.tunnels.views(await deps.store.tunnels.list()),
    getTunnel: async (name: string) => (await deps.tunnels.views([await tunnelRecord(name)]))[0]!,
    async tunnelEvents(name: string, limit: number) {
      await tunnelRecord(name);
      return deps.store.tunnels.events(name, limit);
    },
    /** A new tunnel and its key, shown this once. */
    async createTunnel(name: string | undefined, principal: AdminPrincipal) {
      const made = await deps.tunnels.create(name, ownerOf(principal));
      return { ...made.tunnel, key: made.key };
    },
    async rotateTunnelKey(name: string) {
      const made = await deps.tunnels.rotateKey(name);
      return { ...made.tunnel, key: made.key };
    },
    deleteTunnel: (name: string) => deps.tunnels.delete(name),

    /** Admin API keys, the environment's first (after a lost key is replaced by it, it is the one in use). */
    async listKeys(principal: AdminPrincipal) {
      const stored = (await deps.store.apiKeys.list()).map((k) => publicKey(k, principal));
      const prefix = deps.keys.envKeyPrefix;
      return prefix ? [environmentKey(prefix, principal), ...stored] : stored;
    },
    async getKey(id: string, principal: AdminPrincipal) {
      const prefix = deps.keys.envKeyPrefix;
      if (prefix && id === ENV_KEY_ID) return environmentKey(prefix, principal);
      const key = await deps.store.apiKeys.get(id);
      if (!key) throw new AdminError('NOT_FOUND', `no API key with id ${id}`, { field: 'id' });
      return publicKey(key, principal);
    },
    /** A new key; its secret is in this answer and nowhere else. */
    async createKey(name: string, principal: AdminPrincipal) {
      const { record, secret } = await deps.keys.create(name);
      return { ...publicKey(record, principal), secret };
    },
    async revokeKey(id: string, principal: AdminPrincipal) {
      if (deps.keys.hasEnvKey && id === ENV_KEY_ID)
        throw new AdminError(
          'ADMIN_KEY_FROM_ENVIRONMENT',
          'this key is GATEHOUSE_ADMIN_KEY, which is not stored: unset the variable and restart Gatehouse to stop it working',
        );
      const key = await deps.store.apiKeys.get(id);
      if (!key || key.revokedAt)
        throw new AdminError('NOT_FOUND', `no active API key with id ${id}`, { field: 'id' });
      const active = (await deps.store.apiKeys.list()).filter((k) => !k.revokedAt);
      if (active.length === 1 && !deps.keys.hasEnvKey) {
        // Revoking it would leave nobody able to use the admin API.
        throw new AdminError('LAST_ADMIN_KEY', 'this is the last active admin key; create another first');
      }
      const revokedAt = dateOf(deps.clock).toISOString();
      await deps.store.apiKeys.revoke(id, revokedAt);
      return publicKey({ ...key, revokedAt }, principal);
    },

    /** Recorded requests matching `filter`, newest first, a page at a time (`next` is the following page's cursor). */
    async recentRequests(filter: RequestFilter, limit: number, cursor?: string) {
      requestLog();
      if (cursor !== undefined && !CURSOR.test(cursor))
        throw new AdminError('VALIDATION_FAILED', 'cursor must be the `next` of a previous answer', {
          field: 'cursor',
        });
      const page = await deps.store.requests.page(filter, limit, cursor);
      return { requests: page.records, next: page.next };
    },
    /** Rate, status mix, latency, bytes, visitors, top paths and errors of a window, for one host, route or tunnel or all. */
    async requestAnalytics(scope: Pick<RequestFilter, 'host' | 'route' | 'tunnel'>, window?: string) {
      requestLog();
      if (Object.keys(scope).length > 1)
        throw new AdminError(
          'VALIDATION_FAILED',
          'give one of host, route or tunnel (or none, for everything)',
          {
            field: 'host',
          },
        );
      const span = windowOf(window);
      const to = deps.clock();
      const records = await deps.store.requests.window(
        { ...scope, since: to - span.ms, until: to },
        ANALYTICS_MAX_RECORDS,
      );
      return analyticsOf(records, span, to);
    },
    /**
     * Calls `listener` with each new record this node makes that matches `filter`, and `ended` when
     * the node stops; returns the unsubscribe.
     */
    followRequests(filter: RequestFilter, listener: (record: RequestRecord) => void, ended?: () => void) {
      return requestLog().follow((record) => {
        if (matchesRequest(record, filter)) listener(record);
      }, ended);
    },

    /** What the telemetry receiver knows of each vehicle. */
    listVehicles: () => deps.vehicles.list(),
    async vehicle(vin: string) {
      if (!VIN.test(vin))
        throw new AdminError('VALIDATION_FAILED', 'a VIN is 1 to 64 letters, digits or dashes', {
          field: 'vin',
        });
      const state = await deps.vehicles.get(vin);
      if (!state)
        throw new GatehouseError(
          'FLEET_VEHICLE_UNKNOWN',
          `no telemetry from ${vin} yet: it appears once the vehicle connects to the receiver`,
          { field: 'vin' },
        );
      const history = await deps.vehicles.history(vin);
      return { ...state, history: history?.samples ?? [] };
    },
  };
}

/** The admin service of {@link adminService}. */
export type AdminService = ReturnType<typeof adminService>;
