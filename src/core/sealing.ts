import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** A 32-byte AES-256-GCM key for one purpose; see {@link sealingKey}. */
export type SealingKey = Buffer;

/**
 * A key for one purpose, derived from a secret (a passphrase or key bytes) with HKDF-SHA256, so
 * one configured secret serves many purposes without any two sharing a key.
 */
export function sealingKey(secret: string | Buffer, salt: string, purpose: string): SealingKey {
  return Buffer.from(hkdfSync('sha256', secret, salt, purpose, 32));
}

/**
 * Encrypts text for storage (AES-256-GCM): `v1.<iv>.<ciphertext>.<tag>`, base64url parts.
 * `context` (say, the record's id) is authenticated but not stored: a sealed value copied to
 * another record does not open there.
 */
export function seal(key: SealingKey, plaintext: string, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context) cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, sealed, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The text {@link seal} sealed; undefined when sealed under another key or context, or altered. */
export function unseal(key: SealingKey, sealed: string, context = ''): string | undefined {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || data === undefined || tag === undefined) return undefined;
  try {
    // The full 16-byte tag only: GCM would also check a truncated one, which is far easier to forge.
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    if (context) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
