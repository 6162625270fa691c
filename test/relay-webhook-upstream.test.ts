import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const HOST = 'hooks.upstream.test';

describe('a webhook that selects nobody goes to the route’s upstream as any request would', () => {
  let gw: TestGateway;
  let up: Upstream;
  before(async () => {
    gw = await startRelayGateway('relay-webhook-upstream-secret');
    up = await startUpstream((req, res) => {
      if (req.url?.endsWith('/big')) {
        res.writeHead(200, { 'content-length': 2 * 1024 * 1024 }).end(Buffer.alloc(2 * 1024 * 1024));
        return;
      }
      res.writeHead(200, { 'x-upstream-secret': 'internal' });
      res.end(`${req.method} ${req.url} x-added=${req.headers['x-added']}`);
    });
    await gw.addRoute({
      host: HOST,
      path: '/app',
      stripPrefix: true,
      target: `${up.url}/base`,
      requestHeaders: { set: { 'x-added': 'yes' } },
      responseHeaders: { set: {}, remove: ['x-upstream-secret'] },
      relay: { webhooks: { paths: ['/app/hooks'], select: { header: 'x-developer' } } },
    });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  const post = (path: string) =>
    request(`${gw.url}${path}`, {
      method: 'POST',
      headers: { host: HOST, 'content-type': 'application/json' },
      body: '{}',
      bodyTimeout: 10_000,
    });

  test('the route’s base path, prefix stripping and header rules apply, both ways', async () => {
    const ordinary = await post('/app/other');
    assert.equal(await ordinary.body.text(), 'POST /base/other x-added=yes');
    const hook = await post('/app/hooks/github');
    assert.equal(await hook.body.text(), 'POST /base/hooks/github x-added=yes');
    assert.equal(hook.headers['x-upstream-secret'], undefined, 'response rules apply too');
  });

  test('an answer larger than the relay keeps is a 502, never a body cut under a longer length', async () => {
    const res = await post('/app/hooks/big');
    assert.equal(res.statusCode, 502);
    const body = await res.body.text();
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(body));
  });
});
