import { createHmac, timingSafeEqual } from 'node:crypto';
import { RelayError } from './errors.ts';

/** How far a signed timestamp may be from the server's clock, in seconds. */
export const FRESHNESS_SECONDS = 60;

/** The signed text of a registration: `"{tunnel_url}:{developer_id}:{timestamp}"`. */
export function registrationMessage(
  tunnelUrl: string,
  developerId: string,
  timestamp: number | string,
): string {
  return `${tunnelUrl}:${developerId}:${timestamp}`;
}

/**
 * The signed text of an unregistration: `"unregister:{target}:{developer_id}:{timestamp}"`. The
 * operation is part of it so a registration's signature cannot also remove the registration.
 */
export function unregistrationMessage(
  target: string,
  developerId: string,
  timestamp: number | string,
): string {
  return `unregister:${registrationMessage(target, developerId, timestamp)}`;
}

/** Hex HMAC-SHA256 of `message` under `secret`. */
export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message, 'utf8').digest('hex');
}

/** True when `signature` is the hex HMAC of `message`, compared in constant time. */
export function signatureMatches(secret: string, message: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(hmacHex(secret, message), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * Checks a signed request: the signature, then that the timestamp (Unix seconds) is within
 * {@link FRESHNESS_SECONDS} of `nowMs`. Throws `RELAY_SIGNATURE_INVALID` or `RELAY_TIMESTAMP_STALE`.
 */
export function verifySigned(
  secret: string,
  message: string,
  signature: string,
  timestamp: number,
  nowMs: number,
): void {
  if (!signatureMatches(secret, message, signature)) {
    throw new RelayError('RELAY_SIGNATURE_INVALID', 'hmac_signature does not match', {
      field: 'hmac_signature',
    });
  }
  if (!Number.isFinite(timestamp) || Math.abs(nowMs / 1000 - timestamp) > FRESHNESS_SECONDS) {
    throw new RelayError(
      'RELAY_TIMESTAMP_STALE',
      `timestamp must be within ${FRESHNESS_SECONDS} s of the server's clock`,
      {
        field: 'timestamp',
      },
    );
  }
}
