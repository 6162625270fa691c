import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { ExchangeRecord } from '../src/tunnel/agent/local-forwarder.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** Resolves with the agent's record of the exchange for `path`, once it is over. */
async function exchangeEnd(agent: TunnelAgent, path: string): Promise<ExchangeRecord> {
  for (;;) {
    const [record] = await once(agent, 'response');
    if (record.path === path) return record;
  }
}

describe('what the agent reports about each exchange', () => {
  let gw: TestGateway;
  let local: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await startUpstream((req, res, body) => {
      if (req.url !== '/endless') {
        res.end(`got ${body.length} bytes`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first part');
    });
    agent = await startAgent(gw, await createTunnel(gw, 'reporting'), local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await local.close();
  });

  for (const [method, body] of [
    ['GET', undefined],
    ['POST', 'a=1&b=2'],
    ['PUT', 'x'.repeat(200_000)],
  ] as const) {
    test(`a ${method} answered in full is reported without an error`, async () => {
      const path = `/whole-${method.toLowerCase()}`;
      const ended = exchangeEnd(agent, path);
      const res = await gw.send('reporting.localhost', path, { method, ...(body ? { body } : {}) });
      assert.equal(res.status, 200);
      const record = await ended;
      assert.equal(record.status, 200);
      assert.equal(record.error, undefined);
      assert.equal(record.bytesIn, body?.length ?? 0);
    });
  }

  test('a client that goes away mid-answer is reported as such', async () => {
    const ended = exchangeEnd(agent, '/endless');
    const res = await request(`${gw.url}/endless`, {
      method: 'POST',
      headers: { host: 'reporting.localhost' },
      body: 'hello',
    });
    await res.body[Symbol.asyncIterator]().next();
    res.body.destroy();
    const record = await ended;
    assert.match(record.error ?? '', /client closed the connection before the response was complete/);
  });
});
