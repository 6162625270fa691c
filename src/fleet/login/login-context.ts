import { type IncomingMessage, ServerResponse } from 'node:http';
import type { SessionSite } from '../../auth/sessions/session-cookie.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { type SealingKey, sealingKey } from '../../core/sealing.ts';
import type { Exchange } from '../../http/exchange.ts';
import { publicScheme } from '../../http/forwarded.ts';
import type { RouteOf } from '../../routes/route.ts';
import type { Collection } from '../../store/collection.ts';
import { TESLA_ACCOUNTS } from '../../store/entities.ts';
import { type ExpiringCollection, expiringCollection } from '../../store/expiring.ts';
import type { Store, TeslaAccountRecord } from '../../store/types.ts';
import type { Fetch } from '../api/fleet-api.ts';
import { TeslaOAuth } from '../api/tesla-oauth.ts';
import { isRegionName } from '../regions.ts';
import { type TeslaApplication, type TeslaSettings, teslaSettings } from '../tesla-settings.ts';
import {
  LOGIN_REPORTS,
  LOGIN_SESSIONS,
  LOGIN_STATES,
  type LoginSession,
  type LoginState,
  REFRESH_LEASES,
} from './login-records.ts';
import type { PersonalDashboard } from './personal-dashboard.ts';
import type { TokenRefreshDeps } from './token-refresh.ts';
import type { VehicleReport } from './vehicle-report.ts';

/** The few log calls the login makes; never with a token in the fields. */
export interface LoginLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What a `fleet-login` route needs from the gateway, passed in. */
export interface FleetLoginDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: LoginLogger;
  /** The Tesla application, as configured (`TESLA_CLIENT_ID`, `TESLA_SIMULATOR`, …) and checked at start. */
  readonly tesla: TeslaApplication;
  /** The secret key tokens are sealed with, read or made on first use; undefined when none is set. */
  readonly secretKey: () => Buffer | undefined;
  /** How Tesla is reached; `fetch` unless a test counts the calls. */
  readonly fetch?: Fetch | undefined;
  /** Whether X-Forwarded-Proto and -Host are believed when working out the public origin. */
  readonly trustForwarded: boolean;
  /** Takes one anonymous write (a login started) for the exchange's client; false when it answered 429. */
  readonly admitWrite?: ((exchange: Exchange) => boolean) | undefined;
  /** The live dashboard a logged-in person may open for their own vehicles; none without telemetry. */
  readonly dashboard?: (() => PersonalDashboard | undefined) | undefined;
  /**
   * How often open dashboard sockets look whether their login still holds, in ms (15 s unless a
   * test wants it sooner); a logout is heard of at once, on every node sharing the store.
   */
  readonly loginCheckMs?: number | undefined;
}

/** Everything one request on a `fleet-login` route works with. */
export interface LoginContext {
  readonly deps: FleetLoginDeps;
  readonly route: RouteOf<'fleet-login'>;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The route's path prefix, empty for `/`, to put before `/login`, `/report`… */
  readonly prefix: string;
  /** The host and route path its session and login cookies are named and sealed for. */
  readonly site: SessionSite;
  /** `https://host[:port]` as the browser reached this route. */
  readonly origin: string;
  readonly secure: boolean;
  readonly settings: TeslaSettings;
  /** Seals the Tesla tokens in the store. */
  readonly key: SealingKey;
  /** Seals the session id in the session cookie. */
  readonly cookieKey: SealingKey;
  readonly oauth: TeslaOAuth;
  readonly states: ExpiringCollection<LoginState>;
  readonly sessions: ExpiringCollection<LoginSession>;
  readonly reports: ExpiringCollection<VehicleReport>;
  readonly accounts: Collection<TeslaAccountRecord>;
  readonly refresh: Omit<TokenRefreshDeps, 'clientId'>;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
};

/** The settings of a route: the application's, in the route's region (or a stored account's). */
export function routeSettings(
  deps: FleetLoginDeps,
  route: RouteOf<'fleet-login'>,
  region?: string,
): TeslaSettings {
  const name = region ?? route.fleetLogin.region ?? deps.tesla.region;
  if (!isRegionName(name))
    throw new GatehouseError('FLEET_SETTINGS_INVALID', `region '${name}' is not one of na, eu, cn`, {
      field: 'region',
    });
  return teslaSettings(deps.tesla, name);
}

/**
 * The context of one request; `masterKey` is the configured secret key. An upgrade (the
 * dashboard's WebSocket) gets a response object of its own that nothing is ever sent through.
 */
export function loginContext(
  deps: FleetLoginDeps,
  exchange: Exchange,
  route: RouteOf<'fleet-login'>,
  masterKey: Buffer,
): LoginContext {
  const { req } = exchange;
  const res = exchange.type === 'request' ? exchange.res : new ServerResponse(req);
  const proto = publicScheme(exchange, deps.trustForwarded);
  const host = (deps.trustForwarded && header(req, 'x-forwarded-host')) || exchange.rawHost;
  const prefix = route.path === '/' ? '' : route.path;
  const settings = routeSettings(deps, route);
  const ephemeral = deps.store.ephemeral;
  const accounts = deps.store.collection(TESLA_ACCOUNTS);
  const key = sealingKey(masterKey, 'gatehouse fleet-login', 'tesla tokens');
  const oauth = new TeslaOAuth(settings.tokenUrl, deps.fetch ?? fetch);
  return {
    deps,
    route,
    req,
    res,
    prefix,
    site: { host: exchange.host, base: prefix },
    origin: `${proto}://${host}`,
    secure: proto === 'https',
    settings,
    key,
    cookieKey: sealingKey(masterKey, 'gatehouse fleet-login', 'session cookies'),
    oauth,
    states: expiringCollection(ephemeral, LOGIN_STATES, route.id),
    sessions: expiringCollection(ephemeral, LOGIN_SESSIONS, route.id),
    reports: expiringCollection(ephemeral, LOGIN_REPORTS, route.id),
    accounts,
    refresh: {
      accounts,
      leases: expiringCollection(ephemeral, REFRESH_LEASES),
      oauth,
      key,
      clock: deps.clock,
      nextChange: (ms) => nextAccountChange(deps.store, ms),
    },
  };
}

/** Resolves on the next change to Tesla accounts (on any node), or after `ms`. */
function nextAccountChange(store: Store, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let off = () => {};
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, ms);
    off = store.onChange((event) => {
      if (event.topic === TESLA_ACCOUNTS.topic) done();
    });
  });
}

/** The redirect URI sent to Tesla: the route's, else `TESLA_REDIRECT_URI`, else `{origin}{prefix}/callback`. */
export function redirectUriOf(ctx: LoginContext): string {
  return (
    ctx.route.fleetLogin.redirectUri ?? ctx.settings.redirectUri ?? `${ctx.origin}${ctx.prefix}/callback`
  );
}

/** True for the paths Tesla's redirect lands on: `{prefix}/callback`, and the redirect URI's own path under the route. */
export function isCallbackPath(ctx: LoginContext, path: string): boolean {
  if (path === `${ctx.prefix}/callback`) return true;
  const uri = redirectUriOf(ctx);
  const own = URL.canParse(uri) ? new URL(uri).pathname : undefined;
  return own !== undefined && own === path && (ctx.prefix === '' || own.startsWith(`${ctx.prefix}/`));
}
