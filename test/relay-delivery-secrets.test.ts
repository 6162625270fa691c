import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { ADMIN_KEY, type TestGateway } from './helpers/gateway.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-delivery-secrets-secret';
const HOST = 'hooks.example.test';

/** What providers send as their webhook credentials, and one header the route names itself. */
const CREDENTIALS = {
  'x-gitlab-token': 'gitlab-webhook-secret-value',
  'x-api-key': 'api-key-secret-value',
  authorization: 'Bearer provider-bearer-secret',
  'x-hook-secret': 'asana-hook-secret-value',
  'x-route-named': 'route-named-secret-value',
};
const SECRET_VALUES = Object.values(CREDENTIALS);

async function runCli(args: string[]): Promise<string> {
  const cli = spawnCli(args, { GATEHOUSE_ADMIN_KEY: ADMIN_KEY });
  const code = await new Promise((resolve) => cli.child.once('exit', resolve));
  assert.equal(code, 0, cli.stderr());
  return cli.stdout();
}

describe('webhook deliveries never show provider secrets, and replay still sends them', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let bob: Upstream;
  let agent: TunnelAgent;
  let routeId: string;
  let deliveryId: string;

  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    bob = await startUpstream((_req, res) => res.end('bob got it'));
    await gw.addRoute({ host: HOST, target: deployed.url, relay: {} });
    routeId = (
      await gw.addRoute({
        host: HOST,
        path: '/hooks/gitlab',
        target: deployed.url,
        relay: {
          webhooks: { paths: ['/hooks/gitlab'], select: 'broadcast', redactHeaders: ['X-Route-Named'] },
        },
      })
    ).id;
    const tunnel = await createTunnel(gw, 'bob-secrets');
    agent = await startAgent(gw, tunnel, bob.url);
    await registerTunnel(gw, { host: HOST, secret: SECRET }, tunnel.name, 'bob');
    const res = await gw.send(HOST, '/hooks/gitlab', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', ...CREDENTIALS },
      body: '{"object_kind":"push"}',
    });
    assert.equal(res.status, 202, res.text);
    assert.equal(bob.seen.at(-1)!.headers['x-gitlab-token'], CREDENTIALS['x-gitlab-token']);
    deliveryId = JSON.parse(res.text).delivery;
  });
  after(async () => {
    agent?.stop();
    await gw.stop();
    await deployed.close();
    await bob.close();
  });

  test('the API lists and shows them redacted, the route’s own names included', async () => {
    const list = await gw.api('GET', `/api/v1/routes/${routeId}/deliveries`);
    const detail = await gw.api('GET', `/api/v1/routes/${routeId}/deliveries/${deliveryId}`);
    for (const shown of [list.body.deliveries[0], detail.body]) {
      for (const name of Object.keys(CREDENTIALS)) assert.equal(shown.headers[name], '[redacted]', name);
      assert.equal(shown.headers['x-gitlab-event'], 'Push Hook', 'other headers are shown as they came');
    }
    const text = JSON.stringify([list.body, detail.body]);
    for (const value of SECRET_VALUES) assert.ok(!text.includes(value), `${value} is shown`);
  });

  test('the CLI does not print them', async () => {
    const base = ['--route', routeId, '--server', gw.url];
    const out =
      (await runCli(['deliveries', 'list', ...base, '--json'])) +
      (await runCli(['deliveries', 'show', deliveryId, ...base, '--json']));
    assert.match(out, new RegExp(deliveryId));
    for (const value of SECRET_VALUES) assert.ok(!out.includes(value), `${value} is printed`);
  });

  test('the stored record holds them encrypted only', async () => {
    const stored = await gw.gateway.store.ephemeral.list(`relay-delivery:${routeId}`);
    assert.equal(stored.length, 1);
    for (const value of SECRET_VALUES)
      assert.ok(!stored[0]!.value.includes(value), `${value} is stored in clear`);
  });

  test('a replay sends the provider’s headers as they came', async () => {
    const replay = await gw.api('POST', `/api/v1/routes/${routeId}/deliveries/${deliveryId}/replay`, {
      developer_id: 'bob',
    });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.status, 200);
    const seen = bob.seen.at(-1)!.headers;
    for (const [name, value] of Object.entries(CREDENTIALS)) assert.equal(seen[name], value, name);
  });
});
