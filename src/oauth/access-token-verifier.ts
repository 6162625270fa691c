import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../util/clock.ts';
import { SIGNING_ALG } from './signing-keys.ts';

/** What a checked access token says (RFC 9068 claims plus Gatehouse's identity claims). */
export interface AccessTokenClaims extends JWTPayload {
  readonly sub: string;
  readonly scope?: string;
  readonly client_id?: string;
  readonly gid?: string;
  readonly login?: string;
}

/**
 * Verifies an access token the way a resource must: ES256 only (never `none`, never HMAC with a
 * public key), `typ: at+jwt`, this issuer, exactly this audience, not expired at `clock()`.
 * Throws jose's error (`ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`…) otherwise.
 */
export async function verifyAccessToken(
  token: string,
  options: { jwks: JSONWebKeySet; issuer: string; audience: string; clock: Clock },
): Promise<AccessTokenClaims> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(options.jwks), {
    algorithms: [SIGNING_ALG],
    typ: 'at+jwt',
    issuer: options.issuer,
    audience: options.audience,
    currentDate: new Date(options.clock()),
    requiredClaims: ['sub', 'exp', 'iat', 'jti'],
  });
  return payload as AccessTokenClaims;
}
