import { GatehouseError, type RouteAuthErrorCode } from '../../core/errors.ts';

/** Quotes a value for an auth-param (RFC 9110 quoted-string); drops what a header cannot carry. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/** A `Bearer` challenge with the given parameters, in order. */
export function bearerChallenge(params: Readonly<Record<string, string | undefined>>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quoted(v!)}`);
  return parts.length > 0 ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

/** No token: the challenge points at the metadata, where a client learns which server to ask (RFC 9728 section 5.1). */
export function tokenMissing(metadata: string): GatehouseError<RouteAuthErrorCode> {
  return new GatehouseError(
    'AUTH_TOKEN_MISSING',
    `this route needs a bearer token; its metadata at ${metadata} names the authorization server`,
    { field: 'authorization', challenge: bearerChallenge({ resource_metadata: metadata }) },
  );
}

/** A token that does not pass: `invalid_token` with the reason (RFC 6750 section 3.1). */
export function tokenInvalid(metadata: string, reason: string): GatehouseError<RouteAuthErrorCode> {
  return new GatehouseError('AUTH_TOKEN_INVALID', reason, {
    field: 'authorization',
    challenge: bearerChallenge({
      error: 'invalid_token',
      error_description: reason,
      resource_metadata: metadata,
    }),
  });
}

/** A valid token without the scopes the path needs: `insufficient_scope` naming them. */
export function scopeInsufficient(
  metadata: string,
  required: readonly string[],
  missing: readonly string[],
): GatehouseError<RouteAuthErrorCode> {
  return new GatehouseError(
    'AUTH_SCOPE_INSUFFICIENT',
    `this path needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ask for a token with scope "${required.join(' ')}"`,
    {
      field: 'scope',
      challenge: bearerChallenge({
        error: 'insufficient_scope',
        scope: required.join(' '),
        resource_metadata: metadata,
      }),
    },
  );
}

/** A valid token whose person the route's policy (as it is now) does not let in. */
export function accessDenied(who: string, host: string): GatehouseError<RouteAuthErrorCode> {
  return new GatehouseError(
    'AUTH_ACCESS_DENIED',
    `${who} is not on the allow list of ${host}; ask its operator to add you to auth.allow`,
  );
}
