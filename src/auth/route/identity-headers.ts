import { DEFAULT_IDENTITY_PREFIX } from '../../routes/route-auth-settings.ts';

/** The identity headers of a prefix, as the upstream receives them. */
export interface IdentityHeaderNames {
  /** `<provider>:<login>`, as policies name people. */
  readonly user: string;
  readonly email: string;
  /** A readable name (the provider's display name or user name), ASCII only; for showing, not deciding. */
  readonly name: string;
  /** Space-separated, as OAuth writes scopes. */
  readonly scopes: string;
  /** A short-lived JWT signed with the gateway's keys; verify it against the JWKS. */
  readonly assertion: string;
}

/** The header names for a prefix (`X-Auth-` gives `X-Auth-User`…). */
export function identityHeaderNames(prefix: string = DEFAULT_IDENTITY_PREFIX): IdentityHeaderNames {
  return {
    user: `${prefix}User`,
    email: `${prefix}Email`,
    name: `${prefix}Name`,
    scopes: `${prefix}Scopes`,
    assertion: `${prefix}Assertion`,
  };
}

/**
 * Which client-sent headers never reach an upstream: anything starting with the default identity
 * prefix or the route's own, in any case and with `_` for `-` (CGI and WSGI servers read
 * `X_Auth_User` as `HTTP_X_AUTH_USER`, the same variable as `X-Auth-User`), so a client cannot pose
 * as a logged-in person.
 */
export function spoofedIdentityHeader(routePrefix: string | undefined): (lowerName: string) => boolean {
  const prefixes = [DEFAULT_IDENTITY_PREFIX, routePrefix ?? DEFAULT_IDENTITY_PREFIX].map(cgiName);
  return (name) => {
    const cgi = cgiName(name);
    return prefixes.some((p) => cgi.startsWith(p));
  };
}

/** A header name as CGI-style servers see it: case and `-`/`_` do not tell names apart. */
export function cgiName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/** A value safe to send as a header: visible ASCII and spaces only, else left out. */
export function headerSafe(value: string | undefined): string | undefined {
  return value !== undefined && /^[\x20-\x7e]{1,2048}$/.test(value) ? value : undefined;
}
