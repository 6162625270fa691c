import { createECDH, createHash, createHmac } from 'node:crypto';
import type { FleetKey } from './keys.ts';
import { privateScalarOf } from './keys.ts';

/**
 * Tesla.SS256, the signer: Schnorr over P-256 with SHA-256 and an RFC 6979 nonce, as Tesla's
 * vehicle-command defines it. Only `node:crypto` is used here (scalar-base multiplication through
 * ECDH); the verifier in `ss256-verify.ts` is written apart from it, on other point arithmetic.
 */

/** The order n of the P-256 group. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** The P-256 generator, uncompressed. */
export const P256_GENERATOR = Buffer.from(
  '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
    '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
  'hex',
);
/** The JWS header every Tesla.SS256 token carries, in this key order. */
export const SS256_HEADER = { alg: 'Tesla.SS256', typ: 'JWT' } as const;
/** The audience of a fleet-wide telemetry configuration. */
export const TELEMETRY_AUDIENCE = 'com.tesla.fleet.TelemetryClient';

const toBig = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const toBytes32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
const mod = (value: bigint) => ((value % P256_ORDER) + P256_ORDER) % P256_ORDER;
const hmac = (key: Buffer, ...parts: Uint8Array[]) => {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** The RFC 6979 (HMAC-SHA256) nonce for private scalar `scalar` and 32-byte message digest `digest`. */
export function deterministicNonce(scalar: Uint8Array, digest: Uint8Array): Buffer {
  const x = toBytes32(toBig(scalar));
  const h = toBytes32(mod(toBig(digest)));
  let k = Buffer.alloc(32, 0);
  let v = Buffer.alloc(32, 1);
  k = hmac(k, v, Buffer.from([0]), x, h);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.from([1]), x, h);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const candidate = toBig(v);
    if (candidate >= 1n && candidate < P256_ORDER) return v;
    k = hmac(k, v, Buffer.from([0]));
    v = hmac(k, v);
  }
}

/** `scalar`·G, uncompressed. */
function baseMultiply(scalar: Uint8Array): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(scalar));
  return ecdh.getPublicKey();
}

/** The Schnorr challenge: SHA-256 over G, V, A and the message, each behind a 4-byte length. */
export function schnorrChallenge(
  nonceCommitment: Uint8Array,
  publicPoint: Uint8Array,
  message: Uint8Array,
): bigint {
  const hash = createHash('sha256');
  for (const part of [P256_GENERATOR, nonceCommitment, publicPoint, message]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }
  return mod(toBig(hash.digest()));
}

/** The 96-byte Schnorr signature `V.x ‖ V.y ‖ r` of `message` with the private scalar. */
export function schnorrSign(scalar: Uint8Array, message: Uint8Array): Buffer {
  const a = toBig(scalar);
  const publicPoint = baseMultiply(scalar);
  const nonce = deterministicNonce(scalar, createHash('sha256').update(message).digest());
  const commitment = baseMultiply(nonce);
  const c = schnorrChallenge(commitment, publicPoint, message);
  const r = mod(toBig(nonce) - a * c);
  return Buffer.concat([commitment.subarray(1), toBytes32(r)]);
}

/** Sorts object keys at every depth, as Tesla's Go signer marshals its claims. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * A compact Tesla.SS256 JWS over `claims`, with `iss` (the standard base64 of the public point) and
 * `aud` set by the signer over any given. Keys are sorted as Tesla's signer writes them, so the
 * token is the one `tesla-jws` would make for the same key and claims.
 */
export function signSs256Jws(
  key: FleetKey,
  claims: Record<string, unknown>,
  audience = TELEMETRY_AUDIENCE,
): string {
  const scalar = privateScalarOf(key);
  const body = sortedDeep({ ...claims, iss: Buffer.from(key.publicPoint).toString('base64'), aud: audience });
  const input = `${Buffer.from(JSON.stringify(SS256_HEADER)).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
  return `${input}.${schnorrSign(scalar, Buffer.from(input, 'ascii')).toString('base64url')}`;
}
