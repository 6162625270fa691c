import { createHmac } from 'node:crypto';
import { digestsEqual } from '../../auth/keys/api-key.ts';

/** How far a link token's time may be from this node's clock. */
const SKEW_MS = 5 * 60_000;

/** The key nodes sign their links with, derived from the deployment's shared secret key. */
export function nodeLinkKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('gatehouse node link 1').digest();
}

/** A token for a link from `node` at `nowMs`: `<node>.<ms>.<mac>`, the mac over the first two. */
export function signNodeLink(key: Buffer, node: string, nowMs: number): string {
  const claim = `${node}.${nowMs}`;
  return `${claim}.${createHmac('sha256', key).update(claim).digest('hex')}`;
}

/**
 * The node a link token comes from, when its mac is good (compared in constant time) and its time
 * is within five minutes of `nowMs`; undefined otherwise.
 */
export function verifyNodeLink(key: Buffer, token: string, nowMs: number): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [node, ms, mac] = parts as [string, string, string];
  if (!/^[\w-]{1,64}$/.test(node) || !/^\d{1,16}$/.test(ms)) return undefined;
  if (Math.abs(nowMs - Number(ms)) > SKEW_MS) return undefined;
  const expected = createHmac('sha256', key).update(`${node}.${ms}`).digest('hex');
  return digestsEqual(mac, expected) ? node : undefined;
}
