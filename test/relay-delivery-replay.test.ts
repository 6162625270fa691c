import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-delivery-replay-secret';
const HOST = 'hooks.example.test';
const PROVIDER_SECRET = 'github-webhook-secret';

const sign = (body: string) => `sha256=${createHmac('sha256', PROVIDER_SECRET).update(body).digest('hex')}`;

describe('a large webhook is kept whole and replays', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let routeId: string;
  const locals: Record<string, Upstream> = {};
  const agents: TunnelAgent[] = [];

  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    await gw.addRoute({ host: HOST, target: deployed.url, relay: {} });
    routeId = (
      await gw.addRoute({
        host: HOST,
        path: '/hooks/github',
        target: deployed.url,
        relay: { webhooks: { paths: ['/hooks/github'], select: { header: 'x-developer' } } },
      })
    ).id;
    for (const developer of ['alice', 'bob']) {
      locals[developer] = await startUpstream((req, res, body) =>
        res.end(`verified=${req.headers['x-hub-signature-256'] === sign(body)}`),
      );
      const tunnel = await createTunnel(gw, `${developer}-replay`);
      agents.push(await startAgent(gw, tunnel, locals[developer]!.url));
      await registerTunnel(gw, { host: HOST, secret: SECRET }, tunnel.name, developer);
    }
  });
  after(async () => {
    for (const agent of agents) agent.stop();
    for (const local of Object.values(locals)) await local.close();
    await gw.stop();
    await deployed.close();
  });

  test('a 300 KiB push (over the 64 KiB preview) replays byte for byte; the list shows a preview', async () => {
    const push = JSON.stringify({ ref: 'refs/heads/main', commits: 'c'.repeat(300 * 1024) });
    const res = await request(`${gw.url}/hooks/github`, {
      method: 'POST',
      headers: {
        host: HOST,
        'content-type': 'application/json',
        'x-developer': 'alice',
        'x-hub-signature-256': sign(push),
      },
      body: push,
    });
    assert.equal(await res.body.text(), 'verified=true');

    const [listed] = (await gw.api('GET', `/api/v1/routes/${routeId}/deliveries`)).body.deliveries;
    assert.equal(listed.bodyBytes, Buffer.byteLength(push));
    assert.equal(listed.truncated, true);
    assert.equal(Buffer.from(listed.body, 'base64').length, 64 * 1024, 'the list holds a preview');
    const detail = await gw.api('GET', `/api/v1/routes/${routeId}/deliveries/${listed.id}`);
    assert.equal(Buffer.from(detail.body.body, 'base64').toString(), push, 'one delivery shows all of it');
    assert.equal(detail.body.truncated, false);

    const replay = await gw.api('POST', `/api/v1/routes/${routeId}/deliveries/${listed.id}/replay`, {
      developer_id: 'bob',
    });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.status, 200);
    assert.equal(locals['bob']!.seen.at(-1)!.body, push, 'the same bytes again');
    assert.equal(locals['bob']!.seen.at(-1)!.headers['x-hub-signature-256'], sign(push));
  });
});
