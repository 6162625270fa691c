import { GatehouseError } from '../../core/errors.ts';
import type { UpgradeExchange } from '../../http/exchange.ts';
import type { LoginContext } from './login-context.ts';
import type { LoginWatch } from './login-watch.ts';
import { loginHolds, reportOf, requireLogin } from './session-flow.ts';

/** One file of the dashboard page, ready to send. */
export interface DashboardFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly immutable: boolean;
}

/**
 * The live dashboard as a Tesla login serves it (the gateway hands in the telemetry dashboard):
 * its page under the route, and its stream limited to the person's vehicles.
 */
export interface PersonalDashboard {
  /** The page's file at `relative` as served under `base`; the page learns `mode` from meta tags. */
  file(relative: string, base: string, mode?: Readonly<Record<string, string>>): DashboardFile | undefined;
  /**
   * Completes an authorised upgrade and streams the vehicles `access` names until it expires or
   * `ended` aborts, which closes the socket with 4401 and the abort's reason.
   */
  attach(
    exchange: UpgradeExchange,
    access: {
      readonly vins: ReadonlySet<string>;
      readonly expiresAt: number | undefined;
      readonly ended: AbortSignal;
    },
  ): void;
}

/** The page's policy: its own files and its own WebSocket, nothing else. */
const DASHBOARD_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function dashboardOf(ctx: LoginContext): PersonalDashboard {
  const dashboard = ctx.deps.dashboard?.();
  if (!dashboard)
    throw new GatehouseError(
      'NOT_FOUND',
      `This gateway has no live dashboard; your vehicles' report is at ${ctx.prefix}/report.`,
    );
  return dashboard;
}

/**
 * The VINs the logged-in person may watch: those their Tesla account lists (its report, built
 * fresh when none is kept), or the one `?vin=` names when it is one of them, with the session
 * and when it ends. Another VIN is refused with 403; no session (or no tokens left), 401.
 */
async function personalAccess(ctx: LoginContext, query: URLSearchParams) {
  const found = await requireLogin(ctx);
  const report = await reportOf(ctx, found, false);
  const own = report.vehicles.map((v) => v.vin);
  const asked = query.get('vin');
  if (asked !== null && !own.includes(asked))
    throw new GatehouseError(
      'FLEET_VEHICLE_NOT_YOURS',
      `${asked} is not a vehicle of the Tesla account you logged in with (${own.length ? own.join(', ') : 'it has none'}): ` +
        `open ${ctx.prefix}/dashboard for yours, or log in with the account that has it.`,
    );
  const sessionEnds = found.session.createdAt + ctx.route.fleetLogin.sessionHours * 3_600_000;
  return { vins: new Set(asked !== null ? [asked] : own), sessionEnds, found };
}

/**
 * `GET {prefix}/dashboard` (the page, for a logged-in person only), its files, and
 * `GET {prefix}/dashboard/ws`, which says why the WebSocket would be refused (a browser does not).
 */
export async function showDashboard(ctx: LoginContext, sub: string, query: URLSearchParams): Promise<void> {
  const dashboard = dashboardOf(ctx);
  const relative = sub.slice('/dashboard'.length);
  if (relative === '/ws') {
    await personalAccess(ctx, query);
    throw new GatehouseError(
      'FLEET_DASHBOARD_UPGRADE_REQUIRED',
      'You may watch these vehicles: open this URL as a WebSocket.',
    );
  }
  const isPage = relative === '' || relative === '/';
  if (isPage) await personalAccess(ctx, query);
  const file = dashboard.file(
    relative,
    `${ctx.prefix}/dashboard`,
    isPage
      ? { access: 'tesla-login', login: `${ctx.prefix}/login`, report: `${ctx.prefix}/report` }
      : undefined,
  );
  if (!file) throw new GatehouseError('NOT_FOUND', `The dashboard has no file at ${ctx.prefix}${sub}.`);
  ctx.res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': file.body.length,
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': DASHBOARD_CSP,
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : file.body);
}

/**
 * `{prefix}/dashboard/ws` as a WebSocket: the person's vehicles, live, until their login ends
 * (logout on any node, expiry, tokens revoked), which `logins` watches for and closes it with
 * 4401 and a reason saying to log in again.
 */
export async function dashboardSocket(
  ctx: LoginContext,
  exchange: UpgradeExchange,
  logins: LoginWatch,
): Promise<void> {
  const dashboard = dashboardOf(ctx);
  const { vins, sessionEnds, found } = await personalAccess(ctx, new URLSearchParams(exchange.target.search));
  if (String(exchange.req.headers.upgrade).toLowerCase() !== 'websocket')
    throw new GatehouseError('FLEET_DASHBOARD_UPGRADE_REQUIRED', 'The dashboard speaks WebSocket only.');
  const ended = logins.watch(exchange.socket, { expiresAt: sessionEnds, holds: loginHolds(ctx, found) });
  // The watch ends the socket at the session's end, by the gateway's clock: no expiry of its own.
  dashboard.attach(exchange, { vins, expiresAt: undefined, ended });
}
