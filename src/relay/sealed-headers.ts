import { type SealingKey, seal, sealingKey, unseal } from '../core/sealing.ts';

type Headers = Record<string, string | string[]>;

/** The storage key, derived from the relay's shared secret so nothing more has to be configured. */
function keyFor(secret: string): SealingKey {
  return sealingKey(secret, 'gatehouse relay', 'webhook delivery headers');
}

/** Encrypts headers for storage (AES-256-GCM, see `util/sealing.ts`). */
export function sealHeaders(secret: string, headers: Headers): string {
  return seal(keyFor(secret), JSON.stringify(headers));
}

/** The headers {@link sealHeaders} stored; undefined when they were sealed under another secret (or altered). */
export function openHeaders(secret: string, sealed: string): Headers | undefined {
  const json = unseal(keyFor(secret), sealed);
  return json === undefined ? undefined : (JSON.parse(json) as Headers);
}
