import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { Clock } from '../../src/core/clock.ts';
import type { GatewayOptions } from '../../src/gateway/gateway.ts';

/** What a test token says; everything defaults to a valid token for `aud`. */
export interface TokenFields {
  readonly login?: string;
  readonly scope?: string;
  readonly email?: string;
  readonly orgs?: string[];
  readonly gid?: string;
  readonly iss?: string;
  readonly typ?: string;
  readonly expiresInSeconds?: number;
  readonly extra?: JWTPayload;
}

/**
 * An ES256 key whose JWKS a gateway is given, signing tokens the way Gatehouse's authorization
 * server does (RFC 9068 `at+jwt`, identity claims), with a revocation list for grants.
 */
export async function startTokenIssuer(issuer: string, clock: Clock) {
  const kid = 'test-key-1';
  const keys = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const revoked = new Set<string>();
  let jwksFetches = 0;

  const sign = (
    aud: string | string[],
    fields: TokenFields = {},
    key: CryptoKey = keys.privateKey,
    keyId = kid,
  ) => {
    const now = Math.floor(clock() / 1000);
    return new SignJWT({
      scope: fields.scope ?? 'user',
      client_id: 'test-client',
      gid: fields.gid ?? 'grant-1',
      login: fields.login ?? 'github:alice',
      ...(fields.email ? { email: fields.email } : {}),
      orgs: fields.orgs ?? [],
      teams: [],
      groups: [],
      ...fields.extra,
    })
      .setProtectedHeader({ alg: 'ES256', typ: fields.typ ?? 'at+jwt', kid: keyId })
      .setIssuer(fields.iss ?? issuer)
      .setSubject(`${(fields.login ?? 'github:alice').split(':')[0]}|1`)
      .setAudience(aud)
      .setIssuedAt(now)
      .setJti(randomUUID())
      .setExpirationTime(now + (fields.expiresInSeconds ?? 1800))
      .sign(key);
  };

  const routeAuth: NonNullable<GatewayOptions['routeAuth']> = {
    issuer,
    jwks: async () => {
      jwksFetches++;
      return structuredClone(jwks);
    },
    grantActive: async (gid) => !revoked.has(gid),
    signAssertion: (claims, audience) => {
      const now = Math.floor(clock() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(keys.privateKey);
    },
  };

  return {
    issuer,
    jwks,
    routeAuth,
    sign,
    revoke: (gid: string) => revoked.add(gid),
    publicKeyPem: () => exportSPKI(keys.publicKey),
    get jwksFetches() {
      return jwksFetches;
    },
    /** Adds a key to the published set (a rotation) and returns a signer for it. */
    async rotate(newKid: string) {
      const next = await generateKeyPair('ES256', { extractable: true });
      jwks.keys.push({ ...(await exportJWK(next.publicKey)), kid: newKid, alg: 'ES256', use: 'sig' });
      return (aud: string, fields: TokenFields = {}) => sign(aud, fields, next.privateKey, newKid);
    },
  };
}
