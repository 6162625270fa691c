import { isFormFromSite } from '../../auth/sessions/csrf.ts';
import { clearedSessionCookie, requestSessionKey } from '../../auth/sessions/session-cookie.ts';
import { readBoundedBody } from '../../core/bounded-body.ts';
import { dateOf } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { messagePage } from '../../http/html-page.ts';
import { FleetApi } from '../api/fleet-api.ts';
import { pairLinkWithSvg } from '../pair-link.ts';
import { requireClientCredentials } from '../tesla-settings.ts';
import { bodyHeaders } from './answer-headers.ts';
import { type LoginContext, routeSettings } from './login-context.ts';
import type { LoginSession } from './login-records.ts';
import { reportPage } from './report-page.ts';
import { freshAccessToken, loginRequired } from './token-refresh.ts';
import { buildReport, type VehicleReport } from './vehicle-report.ts';

/** A session found by its cookie, with the key it is stored under. */
export interface FoundSession {
  readonly key: string;
  readonly session: LoginSession;
}

/** Largest form body (the CSRF token) accepted on the POST paths. */
const FORM_LIMIT = 8 * 1024;

/**
 * The session of the request's cookie, or the error asking to log in. A cookie of another name
 * (the `gh_tesla_session` of earlier versions) or one that does not open here counts as none.
 */
export async function requireSession(ctx: LoginContext): Promise<FoundSession> {
  const key = requestSessionKey(ctx.req, ctx.cookieKey, ctx.site, ctx.secure);
  const session = key ? await ctx.sessions.get(key) : undefined;
  if (!key || !session) {
    throw new GatehouseError(
      'FLEET_SESSION_MISSING',
      `You are not logged in here (or the login has ended): log in at ${ctx.prefix}/login.`,
    );
  }
  return { key, session };
}

/**
 * The session of the request's cookie while its account's tokens are kept. A session whose tokens
 * are gone (logged out in another browser, or Tesla refused to renew them) ends here.
 */
export async function requireLogin(ctx: LoginContext): Promise<FoundSession> {
  const found = await requireSession(ctx);
  if (await ctx.accounts.get(found.session.accountId)) return found;
  await endSession(ctx, found, false);
  throw loginRequired(
    'Your Tesla login has ended (logged out in another browser, or Tesla refused to renew it)',
  );
}

/**
 * Whether a session found earlier still holds: it is still stored (not logged out, not expired)
 * and so are its account's tokens (not forgotten after Tesla refused to renew them).
 */
export function loginHolds(ctx: LoginContext, found: FoundSession): () => Promise<boolean> {
  const { sessions, accounts } = ctx;
  return async () =>
    (await sessions.get(found.key)) !== undefined &&
    (await accounts.get(found.session.accountId)) !== undefined;
}

/** The account's report, fresh from Tesla, its tokens refreshed first when near expiry. */
export async function buildSessionReport(ctx: LoginContext, accountId: string): Promise<VehicleReport> {
  const account = await ctx.accounts.get(accountId);
  if (!account) throw loginRequired('Your Tesla login has ended');
  const { clientId } = requireClientCredentials(ctx.settings);
  const api = new FleetApi({
    baseUrl: routeSettings(ctx.deps, ctx.route, account.region).fleetApi,
    token: () => freshAccessToken({ ...ctx.refresh, clientId }, accountId),
    fetch: ctx.deps.fetch,
  });
  return buildReport(api, () => dateOf(ctx.deps.clock));
}

/** Forgets a session, its report and, with `tokens`, the account's stored tokens. */
async function endSession(ctx: LoginContext, found: FoundSession, tokens: boolean): Promise<void> {
  await ctx.sessions.delete(found.key);
  await ctx.reports.delete(found.key);
  if (tokens) await ctx.accounts.delete(found.session.accountId);
  ctx.res.setHeader('set-cookie', clearedSessionCookie(ctx.secure, ctx.site.base));
}

/** The stored report, or a new one when asked or when none is kept; a login Tesla ended ends the session. */
export async function reportOf(
  ctx: LoginContext,
  found: FoundSession,
  rebuild: boolean,
): Promise<VehicleReport> {
  const kept = rebuild ? undefined : await ctx.reports.get(found.key);
  if (kept) return kept;
  try {
    const report = await buildSessionReport(ctx, found.session.accountId);
    await ctx.reports.put(found.key, report, ctx.route.fleetLogin.sessionHours * 3600_000);
    return report;
  } catch (error) {
    if (error instanceof GatehouseError && error.code === 'FLEET_LOGIN_REQUIRED')
      await endSession(ctx, found, true);
    throw error;
  }
}

/** `GET {prefix}/report` and `GET {prefix}/report.json`; `?refresh=1` builds it anew. */
export async function showReport(ctx: LoginContext, query: URLSearchParams, json: boolean): Promise<void> {
  const found = await requireSession(ctx);
  const report = await reportOf(ctx, found, query.get('refresh') === '1');
  const body = json
    ? JSON.stringify(report)
    : reportPage(
        report,
        await pairLinkWithSvg(ctx.route.fleetLogin.domain ?? hostOf(ctx.origin), ctx.settings.simulator),
        { prefix: ctx.prefix, csrf: found.session.csrf },
      );
  ctx.res.writeHead(200, bodyHeaders(json, body));
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

function hostOf(origin: string): string {
  return new URL(origin).hostname;
}

/**
 * The session of a form POST from this site: its CSRF token matches and the browser does not say
 * it comes from another origin. Anything else is refused.
 */
async function postedSession(ctx: LoginContext): Promise<FoundSession> {
  const found = await requireSession(ctx);
  const body = await readBoundedBody(ctx.req, FORM_LIMIT);
  const sent = new URLSearchParams(body.toString('utf8')).get('csrf') ?? header(ctx, 'x-csrf-token');
  if (!isFormFromSite(ctx.req.headers, ctx.origin, found.session.csrf, sent)) {
    throw new GatehouseError(
      'FLEET_CSRF_INVALID',
      `This form did not come from this page, or its token does not match this login: reload ${ctx.prefix}/report and use its buttons.`,
    );
  }
  return found;
}

function header(ctx: LoginContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `POST {prefix}/report`: rebuilds the report, then shows it. */
export async function rebuildReport(ctx: LoginContext): Promise<void> {
  const found = await postedSession(ctx);
  await reportOf(ctx, found, true);
  ctx.res.writeHead(303, { location: `${ctx.prefix}/report`, 'cache-control': 'no-store' });
  ctx.res.end();
}

/** `POST {prefix}/logout`: forgets the session, its report and the account's tokens. */
export async function logout(ctx: LoginContext): Promise<void> {
  const found = await postedSession(ctx);
  await endSession(ctx, found, true);
  const body = messagePage('Logged out', 'You are logged out; Gatehouse no longer holds your Tesla tokens.', {
    href: `${ctx.prefix}/login`,
    label: 'Log in with Tesla again',
  });
  ctx.res.writeHead(200, bodyHeaders(false, body));
  ctx.res.end(body);
}
