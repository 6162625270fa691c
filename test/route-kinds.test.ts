import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

describe('route kinds', () => {
  let gw: TestGateway;
  let up: Upstream;
  before(async () => {
    gw = await startTestGateway({ flags: { 'tunnel-offline-wait': '0' } });
    up = await startUpstream((req, res) => res.end(`upstream ${req.url}`));
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  test('a static route answers with its fixed response, to requests and upgrades alike', async () => {
    const route = await gw.addRoute({
      host: 'static.test',
      static: { status: 503, headers: { 'retry-after': '120' }, body: 'Back soon.' },
    });
    assert.equal(route.kind, 'static');
    const res = await gw.send('static.test', '/anything');
    assert.deepEqual([res.status, res.headers['retry-after'], res.text], [503, '120', 'Back soon.']);
    const head = await gw.send('static.test', '/', { method: 'HEAD' });
    assert.equal(head.text, '');
    const raw = await rawExchange(
      gw.port,
      'GET / HTTP/1.1\r\nhost: static.test\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(raw, /Back soon\.$/);
  });

  test('a static 204 sends neither a body nor a length, to requests and upgrades alike', async () => {
    await gw.addRoute({ host: 'empty.test', static: { status: 204, headers: { 'x-why': 'nothing' } } });
    const plain = await rawExchange(
      gw.port,
      'GET / HTTP/1.1\r\nhost: empty.test\r\nconnection: close\r\n\r\n',
    );
    assert.match(plain, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.match(plain, /x-why: nothing/i);
    assert.doesNotMatch(plain, /content-length|content-type/i);
    const upgrade = await rawExchange(
      gw.port,
      'GET / HTTP/1.1\r\nhost: empty.test\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    assert.match(upgrade, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.doesNotMatch(upgrade, /content-length/i);
  });

  test('a tunnel route sends a host and path of any name to a tunnel', async (t) => {
    const local = await startUpstream((req, res) => res.end(`laptop ${req.url}`));
    t.after(() => local.close());
    const laptop = await createTunnel(gw, 'hooks-laptop');
    const agent = await startAgent(gw, laptop, local.url);
    t.after(() => agent.stop());
    const route = await gw.addRoute({ host: 'api.example.test', path: '/hooks', tunnel: 'hooks-laptop' });
    assert.equal(route.kind, 'tunnel');
    assert.equal((await gw.send('api.example.test', '/hooks/github?x=1')).text, 'laptop /hooks/github?x=1');
    assert.equal((await gw.send('api.example.test', '/other')).status, 404, 'only its path');
  });

  test('a tunnel route to a tunnel that is offline answers 503 naming it', async () => {
    await gw.addRoute({ host: 'offline.example.test', tunnel: 'nobody-home' });
    const res = await gw.send('offline.example.test', '/', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text).error, 'TUNNEL_NOT_CONNECTED');
  });

  test('a patch changes the kind when it sets another kind’s field, and drops what no longer applies', async () => {
    const route = await gw.addRoute({ host: 'switch.test', target: up.url, stripPrefix: true });
    const asStatic = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { static: { body: 'closed' } });
    assert.equal(asStatic.status, 200, JSON.stringify(asStatic.body));
    assert.equal(asStatic.body.kind, 'static');
    assert.equal(asStatic.body.target, undefined);
    assert.equal(asStatic.body.stripPrefix, undefined);
    assert.equal((await gw.send('switch.test', '/')).text, 'closed');
    const back = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { target: up.url });
    assert.equal(back.body.kind, 'proxy');
    assert.equal(back.body.static, undefined);
    assert.equal(back.body.stripPrefix, false, 'the proxy defaults come back');
    assert.equal((await gw.send('switch.test', '/x')).text, 'upstream /x');
    const relay = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { relay: {} });
    assert.equal(relay.body.kind, 'relay');
    const plain = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { relay: null });
    assert.equal(plain.body.kind, 'proxy');
    assert.equal(plain.body.relay, undefined);
  });

  test('a patch naming a field the route’s kind does not have is refused, not silently dropped', async () => {
    const tunnelRoute = await gw.addRoute({ host: 'strict.test', tunnel: 'someone' });
    const cases: [Record<string, unknown>, string][] = [
      [{ preserveHost: true }, 'preserveHost'],
      [{ timeouts: { idleMs: 5 } }, 'timeouts'],
      [{ relay: null, kind: 'relay' }, 'relay'],
    ];
    for (const [patch, field] of cases) {
      const res = await gw.api('PATCH', `/api/v1/routes/${tunnelRoute.id}`, patch);
      assert.equal(res.status, 400, JSON.stringify(patch));
      assert.equal(res.body.field, field);
    }
    const proxyRoute = await gw.addRoute({ host: 'strict2.test', target: up.url });
    const both = await gw.api('PATCH', `/api/v1/routes/${proxyRoute.id}`, { tunnel: 'x', target: up.url });
    assert.equal(both.status, 400);
    assert.equal(both.body.field, 'target');
    assert.equal(
      (await gw.api('GET', `/api/v1/routes/${proxyRoute.id}`)).body.kind,
      'proxy',
      'nothing stored',
    );
  });

  test('patches at the same time to different fields both take effect', async () => {
    const route = await gw.addRoute({ host: 'together.test', target: up.url });
    const patches = [{ priority: 5 }, { stripPrefix: true }, { preserveHost: true }, { path: '/x' }];
    const answers = await Promise.all(patches.map((p) => gw.api('PATCH', `/api/v1/routes/${route.id}`, p)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200],
    );
    const stored = (await gw.api('GET', `/api/v1/routes/${route.id}`)).body;
    assert.deepEqual(
      [stored.priority, stored.stripPrefix, stored.preserveHost, stored.path],
      [5, true, true, '/x'],
    );
  });

  test('a patch to a kind without its required field is refused and stores nothing', async () => {
    const route = await gw.addRoute({ host: 'stay.test', target: up.url });
    const res = await gw.api('PATCH', `/api/v1/routes/${route.id}`, { kind: 'tunnel' });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'tunnel');
    assert.equal((await gw.api('GET', `/api/v1/routes/${route.id}`)).body.kind, 'proxy');
  });
});
