import { DEFAULT_IDENTITY_PREFIX } from '../../routes/route-auth-settings.ts';

/** The identity headers of a prefix, as the upstream receives them. */
export interface IdentityHeaderNames {
  /** `<provider>:<login>`, as policies name people. */
  readonly user: string;
  readonly email: string;
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
    scopes: `${prefix}Scopes`,
    assertion: `${prefix}Assertion`,
  };
}

/**
 * Which client-sent headers never reach an upstream: anything starting with the default identity
 * prefix or the route's own, in any case, so a client cannot pose as a logged-in person.
 */
export function spoofedIdentityHeader(routePrefix: string | undefined): (lowerName: string) => boolean {
  const defaultPrefix = DEFAULT_IDENTITY_PREFIX.toLowerCase();
  const own = routePrefix?.toLowerCase();
  if (!own || own === defaultPrefix) return (name) => name.startsWith(defaultPrefix);
  return (name) => name.startsWith(defaultPrefix) || name.startsWith(own);
}

/** A value safe to send as a header: visible ASCII and spaces only, else left out. */
export function headerSafe(value: string | undefined): string | undefined {
  return value !== undefined && /^[\x20-\x7e]{1,2048}$/.test(value) ? value : undefined;
}
