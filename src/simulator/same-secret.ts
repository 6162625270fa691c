import { createHash, timingSafeEqual } from 'node:crypto';

/** True when two secrets are equal, compared in constant time on their hashes. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
