import { randomBytes } from 'node:crypto';
import { GatehouseError } from '../errors.ts';
import { cookieHeader, readCookie } from '../http/cookies.ts';
import { answerError, type Exchange, type RequestExchange } from '../http/exchange.ts';
import { escapeHtml, messagePage, page } from '../http/html-page.ts';
import { readBoundedBody } from '../util/bounded-body.ts';
import { type BrowserSessions, type FoundSession, sessionCookieName } from './browser-sessions.ts';
import { csrfTokenMatches, isCrossSiteRequest } from './csrf.ts';
import { keyOf, type LoginTickets } from './login-tickets.ts';
import { safeReturnPath } from './return-to.ts';

/** Paths Gatehouse answers itself on every protected host, before the route sees the request. */
export const SESSION_PATHS = {
  /** Where the auth host sends the browser back with its login ticket. */
  callback: '/.gatehouse/callback',
  /** Signs this host's session out: GET shows the form, POST (with its CSRF token) does it. */
  signOut: '/.gatehouse/sign-out',
} as const;

/** How long a browser may take to log in before its login cookie lapses. */
const LOGIN_COOKIE_SECONDS = 600;

/** Largest sign-out form accepted: it holds one token. */
const FORM_LIMIT = 4 * 1024;

/** What the browser side of a protected host needs. */
export interface RouteLoginOptions {
  readonly sessions: BrowserSessions;
  readonly tickets: LoginTickets;
  /** The auth host's page that logs a browser in for `host` and sends it back with a ticket. */
  readonly loginUrl: (request: { host: string; returnTo: string; browser: string }) => URL;
  /** True when the browser reached this host over https (directly or through a trusted proxy). */
  readonly secure?: (exchange: Exchange) => boolean;
}

/** The login cookie's name: `__Host-` over https, like the session's. */
export function loginCookieName(secure: boolean): string {
  return secure ? '__Host-gatehouse-login' : 'gatehouse-login';
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

/**
 * The browser side of login on a protected host: finding the session of a request, sending a
 * browser without one to the auth host, taking the ticket it comes back with, and sign-out.
 */
export class RouteLogin {
  readonly #options: RouteLoginOptions;

  constructor(options: RouteLoginOptions) {
    this.#options = options;
  }

  #secure(exchange: Exchange): boolean {
    return this.#options.secure?.(exchange) ?? exchange.client.proto === 'https';
  }

  /** The session the request's cookie names on this host, or undefined. */
  session(exchange: Exchange): Promise<FoundSession | undefined> {
    const cookie = readCookie(exchange.req, sessionCookieName(this.#secure(exchange)));
    return this.#options.sessions.find(cookie, exchange.host);
  }

  /**
   * Sends the browser to log in and come back to the page it asked for. The login cookie it gets
   * binds the ticket to this browser, so nobody can send it a link that logs it in as them.
   */
  sendToLogin(exchange: RequestExchange): void {
    const secure = this.#secure(exchange);
    const browser = randomBytes(32).toString('base64url');
    const returnTo = safeReturnPath(`${exchange.target.path}${exchange.target.search}`);
    const location = this.#options.loginUrl({ host: exchange.host, returnTo, browser: keyOf(browser) });
    exchange.res.writeHead(302, {
      location: location.href,
      'set-cookie': cookieHeader(loginCookieName(secure), browser, {
        path: '/',
        maxAgeSeconds: LOGIN_COOKIE_SECONDS,
        secure,
      }),
      'cache-control': 'no-store',
      'content-length': 0,
    });
    exchange.res.end();
  }

  /** Answers the callback and sign-out paths, errors included; false when the request is for another path. */
  async answerOwnPath(exchange: RequestExchange): Promise<boolean> {
    const { path } = exchange.target;
    const answer =
      path === SESSION_PATHS.callback
        ? this.#callback(exchange)
        : path === SESSION_PATHS.signOut
          ? this.#signOut(exchange)
          : undefined;
    if (!answer) return false;
    await answer.catch((error: unknown) => answerError(exchange, error));
    return true;
  }

  async #callback(exchange: RequestExchange): Promise<void> {
    const secure = this.#secure(exchange);
    const ticketValue = new URLSearchParams(exchange.target.search).get('ticket') ?? undefined;
    const loginCookie = readCookie(exchange.req, loginCookieName(secure));
    const ticket = await this.#options.tickets.redeem(ticketValue, exchange.host, loginCookie);
    if (!ticket)
      throw new GatehouseError(
        'SESSION_LOGIN_INVALID',
        'This login link has expired, was used already, or was opened in another browser: open the page you wanted again to log in.',
      );
    const { setCookie } = await this.#options.sessions.start(exchange.host, ticket.accountId, secure);
    exchange.res.writeHead(303, {
      location: safeReturnPath(ticket.returnTo),
      'set-cookie': [
        setCookie,
        cookieHeader(loginCookieName(secure), '', { path: '/', maxAgeSeconds: 0, secure }),
      ],
      'cache-control': 'no-store',
      'content-length': 0,
    });
    exchange.res.end();
  }

  async #signOut(exchange: RequestExchange): Promise<void> {
    const { req, res } = exchange;
    const secure = this.#secure(exchange);
    const found = await this.session(exchange);
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readBoundedBody(req, FORM_LIMIT)).toString('utf8'));
      const origin = `${secure ? 'https' : 'http'}://${exchange.rawHost}`;
      if (
        found &&
        (isCrossSiteRequest(req.headers, origin) || !csrfTokenMatches(found.session.csrf, form.get('csrf')))
      )
        throw new GatehouseError(
          'SESSION_CSRF_INVALID',
          'This sign-out form did not come from this site: sign out from the sign-out page itself.',
        );
      const cleared = await this.#options.sessions.end(found, secure);
      send(
        res,
        200,
        messagePage('Signed out', 'You are signed out of this site.', {
          href: '/',
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
    const body = found
      ? page(
          'Sign out',
          `<h1>Sign out</h1><form method="post" action="${SESSION_PATHS.signOut}">` +
            `<input type="hidden" name="csrf" value="${escapeHtml(found.session.csrf)}">` +
            '<button type="submit" id="sign-out">Sign out</button></form>',
        )
      : messagePage('Signed out', 'You are not signed in to this site.', {
          href: '/',
          label: 'Back to the site',
        });
    send(res, 200, body);
  }
}

function send(res: RequestExchange['res'], status: number, html: string, setCookie?: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    ...(setCookie ? { 'set-cookie': setCookie } : {}),
  });
  res.end(html);
}
