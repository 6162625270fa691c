import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../core/clock.ts';

/** Where the authorization server's public keys come from (its `jwks()`). */
export type JwksSource = () => Promise<JSONWebKeySet>;

/**
 * The authorization server's keys, fetched once and again when a token names a key id not in
 * them (a rotation), at most once per `minRefetchMs` so tokens with made-up key ids cannot make
 * every request fetch.
 */
export function cachedJwks(source: JwksSource, clock: Clock, minRefetchMs = 30_000): JWTVerifyGetKey {
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= source()
      .then((set) => {
        keys = createLocalJWKSet(set);
        fetchedAt = clock();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  return async (header, token) => {
    if (!keys) await load();
    try {
      return await keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || clock() - fetchedAt < minRefetchMs) throw error;
      await load();
      return keys!(header, token);
    }
  };
}
