import assert from 'node:assert/strict';
import { request } from 'undici';
import { hmacHex, registrationMessage } from '../../src/relay/signature.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';

/** Registers a developer's Gatehouse tunnel with the relay on `host`, signed as `gatehouse dev-proxy` does. */
export async function registerTunnel(
  gw: TestGateway,
  relay: { host: string; secret: string },
  tunnel: string,
  developer: string,
): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await request(`${gw.url}/api/v1/dev-proxy/register`, {
    method: 'POST',
    headers: { host: relay.host, 'content-type': 'application/json' },
    body: JSON.stringify({
      tunnel,
      developer_id: developer,
      timestamp,
      hmac_signature: hmacHex(relay.secret, registrationMessage(`tunnel:${tunnel}`, developer, timestamp)),
    }),
  });
  assert.equal(res.statusCode, 201, await res.body.text());
}

/** A gateway with the relay on (in `dev`, with the shared secret), plus any other flags. */
export function startRelayGateway(
  secret: string,
  flags: Record<string, string | boolean> = {},
): Promise<TestGateway> {
  return startTestGateway({
    environment: 'dev',
    flags: { relay: true, ...flags },
    env: { DEV_PROXY_SHARED_SECRET: secret },
  });
}
