import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A fresh CSRF token: 256 random bits, base64url. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True when the form's token is the session's, compared in constant time. */
export function csrfTokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/**
 * True when the browser says the request comes from another site: `Sec-Fetch-Site` other than
 * same-origin or none (typed by the user), or an `Origin` that is not `origin`. A second defence
 * besides the token, for browsers that send these headers (all current ones do).
 */
export function isCrossSiteRequest(headers: IncomingHttpHeaders, origin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const from = headers.origin;
  // `Origin: null` (a sandboxed frame, a redirect chain) is never this origin.
  return typeof from === 'string' && from !== origin;
}

/**
 * True when a form POST comes from the site itself: the browser does not say it comes from
 * elsewhere ({@link isCrossSiteRequest}) and it carries the session's token. Both, always: the
 * token alone would let a page that learnt it post from anywhere.
 */
export function isFormFromSite(
  headers: IncomingHttpHeaders,
  origin: string,
  expected: string,
  presented: unknown,
): boolean {
  return !isCrossSiteRequest(headers, origin) && csrfTokenMatches(expected, presented);
}
