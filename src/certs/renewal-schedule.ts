/**
 * When a certificate is renewed, and when the CA is asked again: pure decisions on numbers (ms
 * since the epoch), so a frozen clock and a fixed random number test every case.
 */

/** A window the CA suggests for renewal (RFC 9773 `suggestedWindow`), in ms since the epoch. */
export interface RenewalWindow {
  readonly start: number;
  readonly end: number;
}

/** How long ARI is asked again after an answer without a usable `Retry-After`. */
export const ARI_DEFAULT_RECHECK_MS = 6 * 3600_000;
/** Shortest and longest wait between two ARI checks, whatever `Retry-After` says. */
export const ARI_MIN_RECHECK_MS = 60_000;
export const ARI_MAX_RECHECK_MS = 24 * 3600_000;

/**
 * The time to renew: a uniformly random time inside the CA's window when there is one (so many
 * servers do not all renew at the same instant), else when a third of the lifetime is left,
 * which suits 6-day, 45-day and 90-day certificates alike. A time already past means now.
 */
export function renewalTime(
  certificate: { readonly notBefore: number; readonly notAfter: number },
  window: RenewalWindow | undefined,
  random: () => number,
): number {
  if (window && window.end >= window.start) {
    return Math.floor(window.start + random() * (window.end - window.start));
  }
  const lifetime = certificate.notAfter - certificate.notBefore;
  return certificate.notAfter - Math.floor(lifetime / 3);
}

/** When to ask ARI again: as `Retry-After` asks (in seconds), kept between a minute and a day. */
export function nextAriCheck(now: number, retryAfterSeconds: number | undefined): number {
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds) || retryAfterSeconds < 0)
    return now + ARI_DEFAULT_RECHECK_MS;
  return now + Math.min(ARI_MAX_RECHECK_MS, Math.max(ARI_MIN_RECHECK_MS, retryAfterSeconds * 1000));
}

/** First wait after a failed order; doubled with each failure in a row. */
export const BACKOFF_FIRST_MS = 60_000;
/** Longest wait between two attempts after failures. */
export const BACKOFF_MAX_MS = 6 * 3600_000;

/**
 * When to try again after `failures` failed attempts in a row (1 for the first): a minute,
 * doubling up to six hours, never after the certificate would have expired less an hour, so a
 * failing renewal keeps trying while it still matters. A CA's `Retry-After` is honoured when later.
 */
export function retryTime(
  now: number,
  failures: number,
  options: { readonly notAfter?: number | undefined; readonly retryAfterSeconds?: number | undefined } = {},
): number {
  const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, Math.min(30, failures - 1)));
  let at = now + wait;
  if (options.notAfter !== undefined && options.notAfter - 3600_000 > now)
    at = Math.min(at, options.notAfter - 3600_000);
  if (options.retryAfterSeconds !== undefined && Number.isFinite(options.retryAfterSeconds))
    at = Math.max(at, now + options.retryAfterSeconds * 1000);
  return at;
}

/** How close to its end a certificate counts as near expiry: a tenth of its lifetime, at most a week. */
export function nearExpiry(
  certificate: { readonly notBefore: number; readonly notAfter: number },
  now: number,
): boolean {
  const lifetime = certificate.notAfter - certificate.notBefore;
  return certificate.notAfter - now <= Math.min(7 * 86_400_000, lifetime / 10);
}
