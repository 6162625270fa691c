import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { GatehouseError } from '../core/errors.ts';

/**
 * Tesla.SS256, the verifier, as a vehicle or Tesla's cloud checks a token. Written apart from the
 * signer on `@noble/curves` point arithmetic, so a shared mistake cannot make both agree.
 */

/** Why a token was refused; the simulator turns these into the errors Tesla reports. */
export type Ss256Failure = 'malformed' | 'algorithm' | 'issuer' | 'unknown-issuer' | 'audience' | 'signature';

/** A refused token, with the {@link Ss256Failure} that says why. */
export class Ss256Error extends GatehouseError<'FLEET_SIGNATURE_INVALID'> {
  readonly failure: Ss256Failure;
  constructor(failure: Ss256Failure, message: string) {
    super('FLEET_SIGNATURE_INVALID', message);
    this.failure = failure;
  }
}

/** What a verified token says. */
export interface VerifiedSs256 {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** The issuer's uncompressed public point, from `iss`. */
  readonly issuer: Uint8Array;
}

/** What to hold a token to. */
export interface Ss256Expectations {
  /** The only key allowed to have signed (e.g. the one registered for the domain). */
  readonly issuer?: Uint8Array | undefined;
  /** The required `aud`. */
  readonly audience?: string | undefined;
}

const N = p256.Point.CURVE().n;
const big = (bytes: Uint8Array) => {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
};
const lengthPrefixed = (parts: Uint8Array[]) => {
  const out: number[] = [];
  for (const part of parts) {
    out.push(
      (part.length >>> 24) & 255,
      (part.length >>> 16) & 255,
      (part.length >>> 8) & 255,
      part.length & 255,
    );
    out.push(...part);
  }
  return Uint8Array.from(out);
};

/** True when the 96-byte `signature` is a valid Schnorr signature of `message` by `publicPoint`. */
export function schnorrVerify(publicPoint: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 96) return false;
  let A: InstanceType<typeof p256.Point>;
  let V: InstanceType<typeof p256.Point>;
  try {
    A = p256.Point.fromBytes(publicPoint);
    A.assertValidity();
    V = p256.Point.fromBytes(Uint8Array.of(4, ...signature.subarray(0, 64)));
    V.assertValidity();
  } catch {
    return false;
  }
  const r = big(signature.subarray(64));
  if (r >= N) return false;
  const G = p256.Point.BASE;
  const c = big(sha256(lengthPrefixed([G.toBytes(false), V.toBytes(false), A.toBytes(false), message]))) % N;
  return A.multiplyUnsafe(c).add(G.multiplyUnsafe(r)).equals(V);
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new Ss256Error('malformed', `the token's ${what} is not base64url JSON`);
}

/** Verifies a compact Tesla.SS256 JWS; throws {@link Ss256Error} saying what is wrong. */
export function verifySs256Jws(token: string, expect: Ss256Expectations = {}): VerifiedSs256 {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new Ss256Error(
      'malformed',
      'the token is not a compact JWS (three base64url parts joined by dots)',
    );
  }
  const [headerPart = '', claimsPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart, 'header');
  if (header['alg'] !== 'Tesla.SS256') {
    throw new Ss256Error(
      'algorithm',
      `the token's alg is ${JSON.stringify(header['alg'])}; only Tesla.SS256 is accepted`,
    );
  }
  const claims = decodeJson(claimsPart, 'claims');
  const iss = claims['iss'];
  // Standard base64 with its padding, exactly as Tesla's signer writes the 65-byte point: a lenient
  // decode would let a signer that writes base64url or drops the padding pass here and fail at Tesla.
  const issuer =
    typeof iss === 'string' && /^[A-Za-z0-9+/]{87}=$/.test(iss)
      ? Buffer.from(iss, 'base64')
      : Buffer.alloc(0);
  if (issuer.length !== 65 || issuer[0] !== 4) {
    throw new Ss256Error(
      'issuer',
      'InvalidSignature: only NIST-P256 keys are accepted (iss is not a 65-byte P-256 point)',
    );
  }
  if (expect.issuer && !Buffer.from(expect.issuer).equals(issuer)) {
    throw new Ss256Error(
      'unknown-issuer',
      'InvalidSignature: unknown issuer (signed with a key other than the registered one)',
    );
  }
  if (expect.audience !== undefined && claims['aud'] !== expect.audience) {
    throw new Ss256Error(
      'audience',
      `the token's aud is ${JSON.stringify(claims['aud'])}, not ${expect.audience}`,
    );
  }
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!schnorrVerify(issuer, Buffer.from(`${headerPart}.${claimsPart}`, 'ascii'), signature)) {
    throw new Ss256Error(
      'signature',
      'crypto/ecdsa: verification error (the signature does not match the claims and key)',
    );
  }
  return { header, claims, issuer };
}
