import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-header-spoofing-secret';
const RELAY_HOST = 'dev.api.example.test';
const PLAIN_HOST = 'plain.example.test';

/** What a client might send to pose as a request the relay signed. */
const FORGED = {
  'x-relay-from': 'alice',
  'x-relay-timestamp': '1700000000',
  'x-relay-hmac': 'f'.repeat(64),
  'x-relay-state': 'forged-state',
};

function relayHeadersSeen(upstream: Upstream): string[] {
  return Object.keys(upstream.seen.at(-1)?.headers ?? {}).filter((name) => name.startsWith('x-relay-'));
}

describe('X-Relay-* headers from a client never reach an upstream', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let local: Upstream;
  let agent: TunnelAgent;
  let tunnelHost: string;
  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    local = await startUpstream();
    await gw.addRoute({ host: RELAY_HOST, target: deployed.url, relay: {} });
    await gw.addRoute({ host: PLAIN_HOST, target: deployed.url });
    const tunnel = await createTunnel(gw, 'spoof-check');
    tunnelHost = `${tunnel.name}.localhost`;
    agent = await startAgent(gw, tunnel, local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await deployed.close();
    await local.close();
  });

  test('a relay route’s own traffic (not relayed) reaches the deployed app without them', async () => {
    const res = await gw.send(RELAY_HOST, '/api/v1/things', { headers: FORGED });
    assert.equal(res.status, 200);
    assert.equal(deployed.seen.at(-1)?.url, '/api/v1/things');
    assert.deepEqual(relayHeadersSeen(deployed), []);
  });

  test('a route without relay settings drops them too', async () => {
    const res = await gw.send(PLAIN_HOST, '/', { headers: FORGED });
    assert.equal(res.status, 200);
    assert.deepEqual(relayHeadersSeen(deployed), []);
  });

  test('so does a tunnel’s public name', async () => {
    const res = await gw.send(tunnelHost, '/through-tunnel', { headers: FORGED });
    assert.equal(res.status, 200);
    assert.equal(local.seen.at(-1)?.url, '/through-tunnel');
    assert.deepEqual(relayHeadersSeen(local), []);
  });
});
