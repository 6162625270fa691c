import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const jsonAnswer = { headers: { accept: 'application/json' } };

describe('two gateways sharing one Redis store', () => {
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;
  let up: Upstream;
  before(async () => {
    redis = await startRedis();
    a = await startTestGateway({ flags: { store: redis.url } });
    b = await startTestGateway({ flags: { store: redis.url } });
    up = await startUpstream((_req, res) => res.end('shared'));
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await up.close();
    await redis.stop();
  });

  test('a route added on one node serves on the other; a delete on the other removes it everywhere', async () => {
    assert.equal((await b.send('shared.test', '/')).status, 404);
    const route = await a.addRoute({ host: 'shared.test', target: up.url });
    await waitFor('the route on node b', async () => (await b.send('shared.test', '/')).text === 'shared');
    // Node a serves it too before the delete, so its 404 afterwards means the route is gone.
    assert.equal((await a.send('shared.test', '/')).text, 'shared');
    assert.equal((await b.api('DELETE', `/api/v1/routes/${route.id}`)).status, 204);
    await waitFor(
      'the delete on node a',
      async () => (await a.send('shared.test', '/', jsonAnswer)).status === 404,
    );
    const gone = await a.send('shared.test', '/', jsonAnswer);
    assert.equal(JSON.parse(gone.text).error, 'ROUTE_NOT_FOUND');
  });

  test('a key made on one node works on the other', async () => {
    const made = await a.api('POST', '/api/v1/keys/', { name: 'shared' });
    assert.equal((await b.api('GET', '/api/v1/routes/', undefined, made.body.secret)).status, 200);
  });

  test('readiness reports the Redis store, and 503 when Redis is gone', async () => {
    await a.addRoute({ host: 'kept.test', target: up.url });
    const ready = JSON.parse((await a.send('localhost', '/readyz')).text);
    assert.equal(ready.store, 'redis');
    await redis.stop();
    const down = await a.send('localhost', '/readyz');
    assert.equal(down.status, 503);
    // The edge keeps serving from its last routing table: what it had still routes, the rest is 404.
    assert.equal((await a.send('kept.test', '/')).text, 'shared');
    assert.equal((await a.send('nothing.test', '/')).status, 404);
  });
});
