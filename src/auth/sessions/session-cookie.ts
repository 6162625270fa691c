import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import { clearedCookie, cookieHeader, readCookie } from '../../http/cookies.ts';

/**
 * Where a session holds: a host, and the path of its route on it (`''` for `/`), so two routes
 * on one host (`/` and `/admin`) keep sessions of their own.
 */
export interface SessionSite {
  readonly host: string;
  /** The route's path without its trailing slash; `''` at the root. */
  readonly base: string;
}

/**
 * A Gatehouse cookie's name for a route path: over https the `__Host-` prefix, which browsers
 * accept only when Secure, Path=/ and without Domain, so no other host (a sibling route) can set
 * or receive it. `__Host-` forbids a narrower Path, so a route below the root (`base`) gets a name
 * of its own instead: `gatehouse-session-<8 hex of its path>`.
 */
export function siteCookieName(kind: 'session' | 'login', secure: boolean, base = ''): string {
  const suffix = base ? `-${createHash('sha256').update(base).digest('hex').slice(0, 8)}` : '';
  return `${secure ? '__Host-' : ''}gatehouse-${kind}${suffix}`;
}

/** The session cookie's name on a route path (see {@link siteCookieName}). */
export function sessionCookieName(secure: boolean, base = ''): string {
  return siteCookieName('session', secure, base);
}

/**
 * A `Set-Cookie` value for a cookie named by {@link siteCookieName}: host-only and `Path=/` (what
 * `__Host-` asks for), HttpOnly, SameSite=Lax, Secure over https.
 */
export function siteCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return cookieHeader(name, value, { path: '/', maxAgeSeconds, secure });
}

/** The `Set-Cookie` value that removes a cookie named by {@link siteCookieName}. */
export function clearedSiteCookie(name: string, secure: boolean): string {
  return clearedCookie(name, '/', secure);
}

/** A new session's cookie, and the key its record is stored under. */
export interface NewSessionCookie {
  /** The SHA-256 (hex) of the session id: a store reader cannot present it as a cookie. */
  readonly key: string;
  readonly setCookie: string;
}

/** The key a session id is stored under. */
function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

// The root's context is the host alone, as it was before route paths were told apart.
function contextOf(site: SessionSite): string {
  return `browser-session:${site.host}${site.base}`;
}

/**
 * Starts a session cookie on `site`: a random id, sealed (AES-256-GCM) with the site as
 * authenticated context, so a cookie copied to another host or route path does not open there
 * and an altered one does not open at all. The caller stores its record under `key`.
 */
export function newSessionCookie(
  sealing: SealingKey,
  site: SessionSite,
  secure: boolean,
  maxAgeSeconds: number,
): NewSessionCookie {
  const id = randomBytes(32).toString('base64url');
  const value = seal(sealing, id, contextOf(site));
  return {
    key: keyOf(id),
    setCookie: siteCookie(sessionCookieName(secure, site.base), value, maxAgeSeconds, secure),
  };
}

/** The record key a session cookie's value names on `site`; undefined when it does not open there. */
export function sessionKeyOf(
  sealing: SealingKey,
  cookieValue: string | undefined,
  site: SessionSite,
): string | undefined {
  if (!cookieValue) return undefined;
  const id = unseal(sealing, cookieValue, contextOf(site));
  return id === undefined ? undefined : keyOf(id);
}

/** The record key of the session cookie the request carries for `site`, if any opens. */
export function requestSessionKey(
  req: IncomingMessage,
  sealing: SealingKey,
  site: SessionSite,
  secure: boolean,
): string | undefined {
  return sessionKeyOf(sealing, readCookie(req, sessionCookieName(secure, site.base)), site);
}

/** The `Set-Cookie` value that removes the session cookie on the route path `base`. */
export function clearedSessionCookie(secure: boolean, base = ''): string {
  return clearedSiteCookie(sessionCookieName(secure, base), secure);
}
