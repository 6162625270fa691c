import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

type Headers = Record<string, string | string[]>;

/** The storage key, derived from the relay's shared secret so nothing more has to be configured. */
function keyFor(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse relay', 'webhook delivery headers', 32));
}

/** Encrypts headers for storage (AES-256-GCM): `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
export function sealHeaders(secret: string, headers: Headers): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(headers), 'utf8'), cipher.final()]);
  return ['v1', iv, sealed, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The headers {@link sealHeaders} stored; undefined when they were sealed under another secret (or altered). */
export function openHeaders(secret: string, sealed: string): Headers | undefined {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || data === undefined || tag === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const json = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(json.toString('utf8')) as Headers;
  } catch {
    return undefined;
  }
}
