import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { EphemeralRepository } from '../store/types.ts';

/** The stand-in's own secrets: the key it signs ID tokens with and the key of its cookies. */
export interface IssuerKeys {
  /** A private ES256 JWK with its `kid`, `alg` and `use`. */
  readonly signing: JWK;
  readonly cookie: string;
}

const NAMESPACE = 'dev-idp';
const KEY = 'keys';
/** Kept for good: a restart signs with the same key, so what it signed before still verifies. */
const FOREVER_MS = 100 * 365 * 24 * 3600 * 1000;

/** The keys kept in the store, made on first use. */
export async function issuerKeys(ephemeral: EphemeralRepository): Promise<IssuerKeys> {
  const kept = await ephemeral.get(NAMESPACE, KEY);
  if (kept !== undefined) return JSON.parse(kept) as IssuerKeys;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const made: IssuerKeys = {
    signing: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' },
    cookie: randomBytes(32).toString('base64url'),
  };
  // Two starts racing on one store keep whichever wrote first.
  await ephemeral.putIfAbsent(NAMESPACE, KEY, JSON.stringify(made), FOREVER_MS);
  return JSON.parse((await ephemeral.get(NAMESPACE, KEY)) ?? JSON.stringify(made)) as IssuerKeys;
}
