import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';

/** The only signing algorithm accepted: the authorization server signs ES256; `none` and HS* never pass. */
export const ACCESS_TOKEN_ALGORITHMS = ['ES256'];

/** A token's claims once its signature, type, issuer, audience, times and grant have been checked. */
export type AccessTokenClaims = JWTPayload & {
  readonly sub: string;
  readonly gid: string;
  readonly login: string;
};

/** A token that does not pass, with what it failed on in words a client developer can act on. */
export class TokenRejected extends GatehouseError<'AUTH_TOKEN_INVALID'> {
  /** jose's code for the failed check (`ERR_JWT_EXPIRED`…) when jose refused the token. */
  readonly joseCode: string | undefined;
  constructor(message: string, cause?: unknown) {
    super('AUTH_TOKEN_INVALID', message, cause === undefined ? undefined : { cause });
    this.joseCode = cause instanceof errors.JOSEError ? cause.code : undefined;
  }
}

/** What {@link verifyAccessToken} checks against. */
export interface TokenCheck {
  readonly keys: JWTVerifyGetKey;
  readonly issuer: string;
  /** The route's resource URL; `aud` must be exactly this. */
  readonly audience: string;
  readonly clock: Clock;
  /** False when the grant was revoked (a replayed code, a reused refresh token, a sign-out). */
  readonly grantActive: (gid: string) => Promise<boolean>;
}

/** Verifies an RFC 9068 access token for one resource; throws {@link TokenRejected} saying why not. */
export async function verifyAccessToken(token: string, check: TokenCheck): Promise<AccessTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, check.keys, {
      algorithms: ACCESS_TOKEN_ALGORITHMS,
      typ: 'at+jwt',
      issuer: check.issuer,
      audience: check.audience,
      currentDate: new Date(check.clock()),
      requiredClaims: ['exp', 'sub', 'gid', 'login'],
    }));
  } catch (error) {
    throw new TokenRejected(reason(error, check), error);
  }
  // jose accepts an audience list containing ours; a token meant for several resources is not ours alone.
  if (Array.isArray(payload.aud) && payload.aud.length !== 1)
    throw new TokenRejected(
      `the token is for several audiences; ask for one with resource=${check.audience}`,
    );
  if (
    typeof payload['gid'] !== 'string' ||
    typeof payload['login'] !== 'string' ||
    !payload['login'].includes(':')
  )
    throw new TokenRejected('the token has no grant id or login; it was not issued for a route');
  if (!(await check.grantActive(payload['gid'])))
    throw new TokenRejected('the token’s grant was revoked; log in again');
  return payload as AccessTokenClaims;
}

function reason(error: unknown, check: TokenCheck): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired; refresh it or log in again';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return `the token is for another resource; ask for one with resource=${check.audience}`;
    if (error.claim === 'iss') return `the token was not issued by ${check.issuer}`;
    if (error.claim === 'nbf') return 'the token is not valid yet';
    if (error.claim === 'typ') return 'the token is not an access token (typ must be at+jwt)';
    return `the token's ${error.claim} claim is ${error.reason === 'missing' ? 'missing' : 'wrong'}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `the token's algorithm is not accepted; access tokens are ${ACCESS_TOKEN_ALGORITHMS.join(', ')}`;
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'the token was signed with a key the authorization server does not have';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token’s signature does not verify';
  if (error instanceof errors.JOSEError) return 'the token is not a valid signed JWT';
  return 'the token could not be checked';
}
