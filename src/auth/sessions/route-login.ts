import { createHash, randomBytes } from 'node:crypto';
import { readBoundedBody } from '../../core/bounded-body.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { readCookie } from '../../http/cookies.ts';
import { answerError, type Exchange, type RequestExchange } from '../../http/exchange.ts';
import { escapeHtml, messagePage, page, sendPage } from '../../http/html-page.ts';
import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { BrowserSessions, FoundSession } from './browser-sessions.ts';
import { isFormFromSite } from './csrf.ts';
import type { EdgeTokenClient, EdgeTokens } from './edge-client.ts';
import { bindLogin, clearedLoginCookie, isLoginBrowser } from './login-binding.ts';
import { safeReturnPath } from './return-to.ts';
import { sessionCookieName } from './session-cookie.ts';

/**
 * Paths Gatehouse answers itself on protected routes, under the route's own path (so a route at
 * `/app` has its callback at `/app/.gatehouse/callback`), before the route sees the request.
 */
export const SESSION_PATHS = {
  /** Where the authorization server sends the browser back with its code. */
  callback: '/.gatehouse/callback',
  /** Signs this host's session out: GET shows the form, POST (with its CSRF token) does it. */
  signOut: '/.gatehouse/sign-out',
} as const;

/** A login under way on one host, kept by its `state`, taken once. */
export interface PendingRouteLogin {
  readonly host: string;
  /** The route path it logs in to (`''` at the root); absent in logins started before paths were told apart. */
  readonly base?: string;
  readonly resource: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  /** SHA-256 (hex) of the login cookie of the browser that started it. */
  readonly browser: string;
}

/** Logins under way on protected hosts. */
export const PENDING_ROUTE_LOGINS: ExpiringSpec<PendingRouteLogin> = { name: 'route-login' };

/** Which node refreshes a session's tokens right now. */
const REFRESH_LEASES: ExpiringSpec<{ readonly since: number }> = { name: 'route-login-refresh' };

/** How long a browser may take to log in. */
const LOGIN_SECONDS = 600;
/** Refresh the access token this long before it expires; the old one serves meanwhile. */
const REFRESH_EARLY_MS = 60_000;
/** A refresh that takes longer than this is taken to have failed and may be tried again. */
const REFRESH_LEASE_MS = 20_000;
/** Largest sign-out form accepted: it holds one token. */
const FORM_LIMIT = 4 * 1024;

/** What the browser side of a protected host needs. */
export interface RouteLoginOptions {
  readonly ephemeral: EphemeralRepository;
  readonly clock: Clock;
  readonly sessions: BrowserSessions;
  readonly client: EdgeTokenClient;
  /** True when the browser reached this host over https (directly or through a trusted proxy). */
  readonly secure?: (exchange: Exchange) => boolean;
  /** Called when a login on `host` has started a session, before the browser is sent on. */
  readonly onLogin?: (host: string, tokens: EdgeTokens) => Promise<void>;
  /** Takes one anonymous write (a login started) for the exchange's client; false when it answered 429. */
  readonly admitWrite?: ((exchange: RequestExchange) => boolean) | undefined;
  /** Where a person signs out of the auth host, to log in as someone else; undefined while it is down. */
  readonly signOutUrl?: (() => string | undefined) | undefined;
}

/** The cookies Gatehouse sets on protected hosts: never passed on to the upstream. */
export function isGatehouseCookie(name: string): boolean {
  return /^(__Host-)?gatehouse-(session|login)(-[0-9a-f]{8})?$/.test(name);
}

/**
 * True for a browser navigating to a page, which is sent to log in; anything else (an API client,
 * a script, a WebSocket) gets 401 and the resource metadata instead.
 */
export function isBrowserNavigation(exchange: Exchange): boolean {
  const { req } = exchange;
  if (exchange.type !== 'request' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  if (req.headers.authorization) return false;
  return /text\/html/i.test(req.headers.accept ?? '');
}

const random = () => randomBytes(32).toString('base64url');

/**
 * The browser side of login on a protected host, which is an OAuth client of Gatehouse's own
 * authorization server: a browser without a session is sent to authorize (code + PKCE S256, the
 * route's resource), comes back with a code, and its session keeps the tokens, refreshed before
 * they expire. A refresh the server refuses (the grant revoked, the person no longer allowed)
 * ends the session. Sign-out is a CSRF-checked form.
 */
export class RouteLogin {
  readonly #options: RouteLoginOptions;
  readonly #pending: ExpiringCollection<PendingRouteLogin>;
  readonly #leases: ExpiringCollection<{ readonly since: number }>;

  constructor(options: RouteLoginOptions) {
    this.#options = options;
    this.#pending = expiringCollection(options.ephemeral, PENDING_ROUTE_LOGINS);
    this.#leases = expiringCollection(options.ephemeral, REFRESH_LEASES);
  }

  #secure(exchange: Exchange): boolean {
    return this.#options.secure?.(exchange) ?? exchange.client.proto === 'https';
  }

  #origin(exchange: Exchange): string {
    return `${this.#secure(exchange) ? 'https' : 'http'}://${exchange.rawHost}`;
  }

  /** The session the request's cookie names for the route at `base` on this host, or undefined. */
  session(exchange: Exchange, base = ''): Promise<FoundSession | undefined> {
    const cookie = readCookie(exchange.req, sessionCookieName(this.#secure(exchange), base));
    return this.#options.sessions.find(cookie, { host: exchange.host, base });
  }

  /**
   * The session's access token, refreshed first when it is about to expire; undefined when the
   * session has ended (the refresh was refused), so the browser logs in again.
   */
  async accessToken(found: FoundSession): Promise<string | undefined> {
    const { sessions, clock, client } = this.#options;
    const tokens = sessions.tokensOf(found);
    if (!tokens) return undefined;
    const now = clock();
    if (found.session.accessExpiresAt - REFRESH_EARLY_MS > now) return tokens.accessToken;
    const stillValid = found.session.accessExpiresAt > now;
    // One refresh per session at a time across nodes: with rotation, a second use of the same
    // refresh token would revoke the whole grant. The others serve the old token meanwhile.
    if (
      !tokens.refreshToken ||
      !(await this.#leases.putIfAbsent(found.key, { since: now }, REFRESH_LEASE_MS))
    )
      return stillValid ? tokens.accessToken : undefined;
    try {
      const fresh = await client.refresh({
        host: found.session.host,
        refreshToken: tokens.refreshToken,
        resource: found.session.resource,
      });
      await sessions.replaceTokens(found, fresh);
      return fresh.accessToken;
    } catch {
      await sessions.end(found, false);
      return undefined;
    } finally {
      await this.#leases.delete(found.key);
    }
  }

  /**
   * Sends the browser to log in for `resource` (asking for `scopes`) and come back to the page it asked for. The login
   * cookie it gets binds the login to this browser, so nobody can finish one they started for it.
   */
  async sendToLogin(
    exchange: RequestExchange,
    resource: string,
    scopes: readonly string[],
    base = '',
  ): Promise<void> {
    // Each login started stores its state: anyone may ask, so only so often.
    if (this.#options.admitWrite && !this.#options.admitWrite(exchange)) return;
    const binding = bindLogin(this.#secure(exchange), base, LOGIN_SECONDS);
    const state = random();
    const codeVerifier = random();
    const redirectUri = `${this.#origin(exchange)}${base}${SESSION_PATHS.callback}`;
    const returnTo = safeReturnPath(`${exchange.target.path}${exchange.target.search}`);
    await this.#pending.put(
      state,
      {
        host: exchange.host,
        base,
        resource,
        redirectUri,
        codeVerifier,
        returnTo,
        browser: binding.browserHash,
      },
      LOGIN_SECONDS * 1000,
    );
    const location = await this.#options.client.authorizationUrl({
      host: exchange.host,
      redirectUri,
      state,
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      resource,
      scopes,
    });
    exchange.res.writeHead(302, {
      location: location.href,
      'set-cookie': binding.setCookie,
      'cache-control': 'no-store',
      'content-length': 0,
    });
    exchange.res.end();
  }

  /**
   * Answers the callback and sign-out paths under `base` (the route's path, `''` at the root),
   * errors included; false when the request is for another path.
   */
  async answerOwnPath(exchange: RequestExchange, base = ''): Promise<boolean> {
    const { path } = exchange.target;
    const answer =
      path === `${base}${SESSION_PATHS.callback}`
        ? this.#callback(exchange, base)
        : path === `${base}${SESSION_PATHS.signOut}`
          ? this.#signOut(exchange, base)
          : undefined;
    if (!answer) return false;
    await answer.catch((error: unknown) => answerError(exchange, error));
    return true;
  }

  async #callback(exchange: RequestExchange, base: string): Promise<void> {
    const secure = this.#secure(exchange);
    const params = new URLSearchParams(exchange.target.search);
    const state = params.get('state') ?? '';
    const pending = await this.#pending.get(state);
    // Taken once, whoever comes first; then it must be this route's and this browser's.
    const taken = pending !== undefined && (await this.#pending.deleteIf(state, pending));
    if (
      !taken ||
      pending.host !== exchange.host ||
      (pending.base ?? '') !== base ||
      !isLoginBrowser(exchange.req, pending.browser, secure, base)
    )
      throw new GatehouseError(
        'SESSION_LOGIN_INVALID',
        'This login link has expired, was used already, or was opened in another browser: open the page you wanted again to log in.',
      );
    const error = params.get('error');
    if (error) {
      const signOut = error === 'access_denied' ? this.#options.signOutUrl?.() : undefined;
      throw new GatehouseError(
        error === 'access_denied' ? 'SESSION_ACCESS_DENIED' : 'SESSION_LOGIN_INVALID',
        `${params.get('error_description') ?? error}.`,
        signOut
          ? {
              next: {
                href: signOut,
                label: 'Use another account (sign out of Gatehouse, then log in again)',
              },
            }
          : {},
      );
    }
    const callbackUrl = new URL(`${this.#origin(exchange)}${exchange.target.path}${exchange.target.search}`);
    const tokens = await this.#options.client.exchange({
      host: exchange.host,
      callbackUrl,
      redirectUri: pending.redirectUri,
      state,
      codeVerifier: pending.codeVerifier,
      resource: pending.resource,
    });
    const { setCookie } = await this.#options.sessions.start(
      { host: exchange.host, base },
      pending.resource,
      tokens,
      secure,
    );
    await this.#options.onLogin?.(exchange.host, tokens);
    exchange.res.writeHead(303, {
      location: safeReturnPath(pending.returnTo),
      'set-cookie': [setCookie, clearedLoginCookie(secure, base)],
      'cache-control': 'no-store',
      'content-length': 0,
    });
    exchange.res.end();
  }

  async #signOut(exchange: RequestExchange, base: string): Promise<void> {
    const { req, res } = exchange;
    const secure = this.#secure(exchange);
    const found = await this.session(exchange, base);
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readBoundedBody(req, FORM_LIMIT)).toString('utf8'));
      if (found && !isFormFromSite(req.headers, this.#origin(exchange), found.session.csrf, form.get('csrf')))
        throw new GatehouseError(
          'SESSION_CSRF_INVALID',
          'This sign-out form did not come from this site: sign out from the sign-out page itself.',
        );
      const cleared = await this.#options.sessions.end(found, secure, base);
      send(
        res,
        messagePage('Signed out', 'You are signed out of this site.', {
          href: `${base}/`,
          label: 'Back to the site',
        }),
        cleared,
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, POST', 'content-length': 0 });
      res.end();
      return;
    }
    send(
      res,
      found
        ? page(
            'Sign out',
            `<h1>Sign out</h1><form method="post" action="${escapeHtml(base + SESSION_PATHS.signOut)}">` +
              `<input type="hidden" name="csrf" value="${escapeHtml(found.session.csrf)}">` +
              '<button type="submit" id="sign-out">Sign out</button></form>',
          )
        : messagePage('Signed out', 'You are not signed in to this site.', {
            href: `${base}/`,
            label: 'Back to the site',
          }),
    );
  }
}

function send(res: RequestExchange['res'], html: string, setCookie?: string): void {
  sendPage(res, 200, html, setCookie ? { 'set-cookie': setCookie } : {});
}
