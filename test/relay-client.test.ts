import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RelayClient } from '../src/relay/relay-client.ts';
import { createTunnel } from './helpers/agent.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-client-test-secret';
const HOST = 'client.relay.test';

describe('the relay client', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let client: RelayClient;
  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    await gw.addRoute({ host: HOST, target: deployed.url, relay: {} });
    await createTunnel(gw, 'dev-carol');
    client = new RelayClient({
      url: new URL(`http://${HOST}`),
      prefix: '/api/v1/dev-proxy',
      secret: SECRET,
      connectTo: `127.0.0.1:${gw.port}`,
    });
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
  });

  test('requests signed within one second are all accepted: a command run twice in a row', async () => {
    const second = Math.floor(Date.now() / 1000) * 1000;
    const target = { tunnel: 'dev-carol' };
    assert.equal((await client.register(target, 'carol', second + 100)).status, 201);
    assert.equal((await client.unregister(target, 'carol', second + 200)).status, 200);
    assert.equal((await client.register(target, 'carol', second + 300)).status, 201);
  });

  test('the very same signed request is still refused the second time', async () => {
    const at = Date.now();
    assert.equal((await client.register({ tunnel: 'dev-carol' }, 'carol', at)).status, 201);
    const again = await client.register({ tunnel: 'dev-carol' }, 'carol', at);
    assert.equal(again.status, 403);
    assert.equal(again.body['error'], 'RELAY_SIGNATURE_REPLAYED');
  });
});
