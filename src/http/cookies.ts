import type { IncomingMessage } from 'node:http';

/** The value of cookie `name` in the request, if sent. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** How a cookie is set. */
export interface CookieOptions {
  readonly path: string;
  readonly maxAgeSeconds: number;
  /** Over https: browsers drop Secure cookies set on plain http. */
  readonly secure: boolean;
}

/** A `Set-Cookie` value: HttpOnly and SameSite=Lax, so a provider's redirect back still carries it. */
export function cookieHeader(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** A `Set-Cookie` value that removes the cookie. */
export function clearedCookie(name: string, path: string, secure: boolean): string {
  return cookieHeader(name, '', { path, maxAgeSeconds: 0, secure });
}
