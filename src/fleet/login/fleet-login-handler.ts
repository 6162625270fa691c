import { STATUS_CODES } from 'node:http';
import { BodyTooLargeError } from '../../core/bounded-body.ts';
import { GatehouseError } from '../../core/errors.ts';
import { errorAnswer, writeRawError } from '../../http/error-response.ts';
import { answerError, type RequestExchange, type UpgradeExchange } from '../../http/exchange.ts';
import { messagePage, type NextStep } from '../../http/html-page.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import { TeslaApiError } from '../api/tesla-error.ts';
import { bodyHeaders } from './answer-headers.ts';
import { type FleetLoginDeps, isCallbackPath, type LoginContext, loginContext } from './login-context.ts';
import { finishLogin, startLogin } from './login-flow.ts';
import { LoginWatch } from './login-watch.ts';
import { dashboardSocket, showDashboard } from './personal-dashboard.ts';
import { logout, rebuildReport, showReport } from './session-flow.ts';

type FleetLoginRouted = Extract<Routed, { kind: 'fleet-login' }>;

/** Codes whose page sends the user to log in (again) rather than to try the report again. */
const LOG_IN_AGAIN = new Set([
  'FLEET_LOGIN_REQUIRED',
  'FLEET_SESSION_MISSING',
  'FLEET_LOGIN_STATE_INVALID',
  'FLEET_LOGIN_DECLINED',
  'FLEET_LOGIN_FAILED',
  'FLEET_TOKEN_EXPIRED',
  'FLEET_MISSING_SCOPES',
]);

const TITLES: Readonly<Record<string, string>> = {
  FLEET_LOGIN_REQUIRED: 'Please log in again',
  FLEET_SESSION_MISSING: 'Not logged in',
  FLEET_LOGIN_STATE_INVALID: 'This login cannot be finished',
  FLEET_LOGIN_DECLINED: 'Access declined',
  FLEET_LOGIN_FAILED: 'The login did not complete',
  FLEET_SECRET_KEY_MISSING: 'Tesla login is not set up',
};

/**
 * The `fleet-login` route kind: Tesla user login (OAuth with PKCE) under the route's prefix,
 * tokens sealed in the store, and the vehicle report of each login. `GET {prefix}/login`,
 * the callback, `GET {prefix}/report` (and `.json`), `POST {prefix}/report`, `POST {prefix}/logout`,
 * and `GET {prefix}/dashboard`: the live dashboard of the person's own vehicles (WebSocket at
 * `{prefix}/dashboard/ws`).
 */
export function fleetLoginHandler(deps: FleetLoginDeps): RouteHandler<FleetLoginRouted> {
  const logins = new LoginWatch({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    checkMs: deps.loginCheckMs,
  });
  return {
    request: async (exchange, { route }) => {
      const base = route.path === '/' ? '' : route.path;
      // The dashboard's page asks its socket's URL why it was refused, and reads JSON.
      const json = [`${base}/report.json`, `${base}/dashboard/ws`].includes(exchange.target.path);
      let ctx: LoginContext | undefined;
      try {
        const key = deps.secretKey();
        if (!key) {
          throw new GatehouseError(
            'FLEET_SECRET_KEY_MISSING',
            'Tesla login needs a secret key to keep tokens encrypted, shared by every node: set GATEHOUSE_SECRET_KEY (openssl rand -hex 32) and restart.',
          );
        }
        ctx = loginContext(deps, exchange, route, key);
        await answer(ctx, exchange);
      } catch (error) {
        if (!(error instanceof GatehouseError))
          deps.logger.warn({ route: route.id, err: String(error) }, 'fleet-login failed');
        sendFailure(exchange, error, json, ctx?.prefix ?? (route.path === '/' ? '' : route.path));
      }
    },
    // Only the dashboard's socket speaks WebSocket.
    upgrade: async (exchange, { route }) => {
      const base = route.path === '/' ? '' : route.path;
      if (exchange.target.path !== `${base}/dashboard/ws`) {
        answerError(
          exchange,
          new GatehouseError('BAD_REQUEST', `fleet-login routes take upgrades only at ${base}/dashboard/ws`),
        );
        return;
      }
      await upgradeDashboard(deps, exchange, route, logins);
    },
  };
}

/** The dashboard's WebSocket for the session of the upgrade's cookie; refusals answered on the socket. */
async function upgradeDashboard(
  deps: FleetLoginDeps,
  exchange: UpgradeExchange,
  route: FleetLoginRouted['route'],
  logins: LoginWatch,
): Promise<void> {
  try {
    const key = deps.secretKey();
    if (!key)
      throw new GatehouseError(
        'FLEET_SECRET_KEY_MISSING',
        'Tesla login needs a secret key to keep tokens encrypted: set GATEHOUSE_SECRET_KEY and restart.',
      );
    await dashboardSocket(loginContext(deps, exchange, route, key), exchange, logins);
  } catch (error) {
    exchange.done(writeRawError(exchange.socket, error));
  }
}

/** Routes the request to its page; unknown paths get a page naming the known ones. */
async function answer(ctx: LoginContext, exchange: RequestExchange): Promise<void> {
  const { path, search } = exchange.target;
  const query = new URLSearchParams(search);
  const method = ctx.req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';
  const sub = path.slice(ctx.prefix.length);
  if (read && sub === '/login') {
    // Each start stores a login state: anyone may ask, so only so often.
    if (ctx.deps.admitWrite && !ctx.deps.admitWrite(exchange)) return;
    return startLogin(ctx);
  }
  if (read && isCallbackPath(ctx, path)) return finishLogin(ctx, query);
  if (read && sub === '/report') return showReport(ctx, query, false);
  if (read && sub === '/report.json') return showReport(ctx, query, true);
  if (method === 'POST' && sub === '/report') return rebuildReport(ctx);
  if (method === 'POST' && sub === '/logout') return logout(ctx);
  if (read && (sub === '/dashboard' || sub.startsWith('/dashboard/'))) return showDashboard(ctx, sub, query);
  if (read && (sub === '' || sub === '/')) {
    ctx.res.writeHead(302, { location: `${ctx.prefix}/report`, 'cache-control': 'no-store' });
    ctx.res.end();
    return;
  }
  throw new GatehouseError(
    'NOT_FOUND',
    `${method} ${path} is not a Tesla login page: use GET ${ctx.prefix}/login, GET ${ctx.prefix}/report (or .json), GET ${ctx.prefix}/dashboard, POST ${ctx.prefix}/logout.`,
  );
}

/** The error as a page (or `{error:{code,message}}` for report.json), with its status. */
function sendFailure(exchange: RequestExchange, error: unknown, json: boolean, prefix: string): void {
  const { req, res } = exchange;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, document } = errorAnswer(error);
  const retry = error instanceof TeslaApiError ? error.answer.retryAfterSeconds : undefined;
  const code = document.error;
  const next: NextStep = LOG_IN_AGAIN.has(code)
    ? { href: `${prefix}/login`, label: 'Log in with Tesla' }
    : { href: `${prefix}/report?refresh=1`, label: 'Try again' };
  const body = json
    ? JSON.stringify({ error: { code, message: document.message } })
    : messagePage(TITLES[code] ?? STATUS_CODES[status] ?? 'Error', document.message, next, code);
  res.writeHead(status, {
    ...(retry !== undefined ? { 'retry-after': String(retry) } : {}),
    ...bodyHeaders(json, body),
    ...(error instanceof BodyTooLargeError || !req.complete ? { connection: 'close' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
