import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { createTunnel } from './helpers/agent.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-webhook-answers-secret';
const HOST = 'hooks.example.test';
/** A second relay host, where nobody has registered. */
const EMPTY_HOST = 'quiet-hooks.example.test';

async function post(gw: TestGateway, host: string, path: string, body: string) {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: { host, 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('what a provider is answered when a webhook reaches no developer', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  before(async () => {
    gw = await startRelayGateway(SECRET, { 'tunnel-offline-wait': '0' });
    deployed = await startUpstream((_req, res, body) => res.end(`deployed got ${body}`));
    for (const host of [HOST, EMPTY_HOST]) await gw.addRoute({ host, target: deployed.url, relay: {} });
    await gw.addRoute({
      host: HOST,
      path: '/hooks/github',
      target: deployed.url,
      relay: {
        webhooks: {
          paths: ['/hooks/github'],
          select: { json: 'repository.full_name' },
          map: { 'acme/api': 'carol', 'acme/web': 'dave' },
        },
      },
    });
    await gw.addRoute({
      host: EMPTY_HOST,
      path: '/hooks/all',
      target: deployed.url,
      relay: { webhooks: { paths: ['/hooks/all'], select: 'broadcast' } },
    });
    // dave is registered, but his tunnel has no agent connected.
    const tunnel = await createTunnel(gw, 'dave-offline');
    await registerTunnel(gw, { host: HOST, secret: SECRET }, tunnel.name, 'dave');
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
  });

  test('mapped to a developer who is not registered: 202 naming the kept delivery', async () => {
    const res = await post(gw, HOST, '/hooks/github', '{"repository":{"full_name":"acme/api"}}');
    assert.equal(res.status, 202, res.text);
    const summary = JSON.parse(res.text);
    assert.match(summary.delivery, /^[0-9a-z]{26}$/);
    assert.deepEqual(
      summary.delivered.map((d: { developer: string; status: number; error: string }) => [
        d.developer,
        d.status,
        d.error,
      ]),
      [['carol', 404, 'not registered']],
    );
  });

  test('a registered developer who cannot be reached: the same 202', async () => {
    const res = await post(gw, HOST, '/hooks/github', '{"repository":{"full_name":"acme/web"}}');
    assert.equal(res.status, 202, res.text);
    const [result] = JSON.parse(res.text).delivered;
    assert.equal(result.developer, 'dave');
    assert.equal(result.status, 502);
  });

  test('a broadcast with nobody registered: the same 202, delivered to none', async () => {
    const res = await post(gw, EMPTY_HOST, '/hooks/all', '{}');
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(JSON.parse(res.text).delivered, []);
  });

  test('not JSON, or matching nothing: the deployed app answers, as for any request', async () => {
    assert.deepEqual(await post(gw, HOST, '/hooks/github', 'not json'), {
      status: 200,
      text: 'deployed got not json',
    });
    const unmatched = '{"repository":{"full_name":"someone/else"}}';
    assert.equal((await post(gw, HOST, '/hooks/github', unmatched)).text, `deployed got ${unmatched}`);
  });

  test('the deliveries endpoints are in /api/v1/openapi.json', async () => {
    const doc = (await gw.api('GET', '/api/v1/openapi.json')).body;
    assert.ok(doc.paths['/routes/{id}/deliveries'].get);
    assert.ok(doc.paths['/routes/{id}/deliveries/{delivery}'].get);
    const replay = doc.paths['/routes/{id}/deliveries/{delivery}/replay'].post;
    assert.equal(
      replay.requestBody.content['application/json'].schema.$ref,
      '#/components/schemas/ReplayInput',
    );
    assert.deepEqual(doc.components.schemas.ReplayInput.required, ['developer_id']);
    assert.ok(doc.components.schemas.Delivery.properties.results);
  });
});
