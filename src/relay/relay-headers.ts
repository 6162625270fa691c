import { hmacHex } from './signature.ts';

/** Headers a relayed request carries; copies sent by the client are dropped first. */
export const RELAY_HEADERS = [
  'x-relay-from',
  'x-relay-hmac',
  'x-relay-timestamp',
  'x-dev-proxy-target',
] as const;

/**
 * The signed identity of a relayed request. The app verifies `X-Relay-Hmac` as hex
 * HMAC-SHA256(secret, `"{developer_id}:{method}:{path and query}:{timestamp}"`).
 */
export function relayHeaders(
  secret: string,
  developerId: string,
  method: string,
  pathAndQuery: string,
  nowMs: number,
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'x-relay-from': developerId,
    'x-relay-timestamp': timestamp,
    'x-relay-hmac': hmacHex(secret, `${developerId}:${method}:${pathAndQuery}:${timestamp}`),
  };
}
