import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'gk_';

/** A freshly made API key: the secret (shown once) and what is stored of it. */
export interface NewApiKey {
  readonly secret: string;
  readonly prefix: string;
  readonly hash: string;
}

/** Makes a key with 256 bits of randomness; `gk_` marks admin keys, `gt_` tunnel keys. */
export function generateApiKey(kind: 'gk_' | 'gt_' = SECRET_PREFIX): NewApiKey {
  const secret = kind + randomBytes(32).toString('base64url');
  return { secret, prefix: displayPrefix(secret), hash: hashApiKey(secret) };
}

/**
 * SHA-256 of a key. The secrets are long and random, so a fast hash is enough: there is no
 * dictionary to try, and looking keys up by hash leaks nothing useful through timing.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The part of a secret shown in listings. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, SECRET_PREFIX.length + 6);
}

/** Compares two hex digests in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([!-~]+)[ \t]*$/i.exec(header);
  return match?.[1];
}
