import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** The buffered exchange webhooks use: one whole request down a tunnel, one whole answer back. */
describe('buffered exchanges through a tunnel', () => {
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream((req, res, body) => {
      if (req.url === '/big') {
        res.end(Buffer.alloc(2 * 1024 * 1024));
        return;
      }
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part of it');
        setImmediate(() => res.destroy());
        return;
      }
      res.end(JSON.stringify({ url: req.url, body, headers: req.headers }));
    });
    agent = await startAgent(gw, await createTunnel(gw, 'buffered'), local.url);
  });
  after(async () => {
    agent.stop();
    await local.close();
    await gw.stop();
  });

  const send = (path: string, headers: Record<string, string> = {}) =>
    gw.gateway.tunnels.exchange(
      'buffered',
      { method: 'POST', pathAndQuery: path, authority: 'hooks.test', headers, body: Buffer.from('payload') },
      1024 * 1024,
    );

  test('a whole answer comes back whole', async () => {
    const answer = await send('/hook');
    assert.equal(answer.status, 200);
    const seen = JSON.parse(answer.body.toString());
    assert.deepEqual([seen.url, seen.body], ['/hook', 'payload']);
  });

  test('an answer cut short is a failure, not a shorter whole one', async () => {
    await assert.rejects(
      send('/cut'),
      (e: unknown) => (e as { code?: string }).code === 'TUNNEL_STREAM_FAILED',
    );
  });

  test('an answer over the cap is a failure, not a body cut to the cap', async () => {
    await assert.rejects(send('/big'), /answered with more than 1048576 bytes/);
  });

  test('a sender’s own tunnel protocol headers never reach the agent', async () => {
    const answer = await send('/hook', { 'gatehouse-upgrade': 'websocket', 'x-kept': 'yes' });
    const seen = JSON.parse(answer.body.toString());
    assert.equal(seen.body, 'payload', 'treated as the ordinary POST it is');
    assert.equal(seen.headers['x-kept'], 'yes');
    assert.equal(seen.headers['gatehouse-upgrade'], undefined);
  });
});
