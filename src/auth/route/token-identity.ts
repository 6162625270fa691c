import type { IdentityLike } from '../identity/policy.ts';
import type { AccessTokenClaims } from './token-verifier.ts';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * The person a verified access token describes, from its identity claims: `login` is
 * `<provider>:<login>`; `orgs`, `teams`, `groups` lists; an OIDC provider's claims under `claims`.
 */
export function identityOfToken(claims: AccessTokenClaims): IdentityLike {
  const colon = claims.login.indexOf(':');
  const extra = claims['claims'];
  return {
    provider: claims.login.slice(0, colon),
    login: claims.login.slice(colon + 1),
    email: typeof claims['email'] === 'string' ? claims['email'] : undefined,
    orgs: strings(claims['orgs']),
    teams: strings(claims['teams']),
    groups: strings(claims['groups']),
    claims:
      extra && typeof extra === 'object' && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {},
  };
}

/** The scopes the token was granted (`scope`, space-separated). */
export function tokenScopes(claims: AccessTokenClaims): string[] {
  return typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : [];
}
