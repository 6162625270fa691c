import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readCookie } from '../../http/cookies.ts';
import { clearedSiteCookie, siteCookie, siteCookieName } from './session-cookie.ts';

/** The login cookie's name on a route path: `__Host-` over https, like the session's. */
export function loginCookieName(secure: boolean, base = ''): string {
  return siteCookieName('login', secure, base);
}

/** A login bound to the browser starting it: the cookie that browser gets, and the hash the login keeps. */
export interface LoginBinding {
  /** SHA-256 (hex) of the cookie's value, kept with the login under way. */
  readonly browserHash: string;
  readonly setCookie: string;
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Binds a login that starts now to this browser, on the route path `base`: a fresh random value
 * every time, never one the browser sent, so a value planted in the browser beforehand (by a
 * sibling host, over plain http) cannot make it finish a login someone else started.
 */
export function bindLogin(secure: boolean, base: string, maxAgeSeconds: number): LoginBinding {
  const value = randomBytes(32).toString('base64url');
  return {
    browserHash: hashOf(value),
    setCookie: siteCookie(loginCookieName(secure, base), value, maxAgeSeconds, secure),
  };
}

/** True when the request carries the login cookie whose hash the login kept. */
export function isLoginBrowser(
  req: IncomingMessage,
  browserHash: string,
  secure: boolean,
  base: string,
): boolean {
  const value = readCookie(req, loginCookieName(secure, base));
  if (!value) return false;
  const sent = Buffer.from(hashOf(value), 'hex');
  const kept = Buffer.from(browserHash, 'hex');
  return sent.length === kept.length && timingSafeEqual(sent, kept);
}

/** The `Set-Cookie` value that removes the login cookie once its login is over. */
export function clearedLoginCookie(secure: boolean, base = ''): string {
  return clearedSiteCookie(loginCookieName(secure, base), secure);
}
