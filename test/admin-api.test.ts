import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';

describe('admin API', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.stop());

  test('needs a valid bearer key', async () => {
    const none = await request(`${gw.url}/api/v1/routes/`, { headers: { host: 'localhost' } });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.equal(((await none.body.json()) as { error: string }).error, 'UNAUTHORIZED');
    const wrong = await gw.api('GET', '/api/v1/routes/', undefined, 'gk_wrong');
    assert.equal(wrong.status, 401);
    assert.equal((await gw.api('GET', '/api/v1/routes/')).status, 200);
  });

  test('answers only on admin hosts: elsewhere /api is routed like any path', async () => {
    const res = await gw.send('app.example.test', '/api/v1/routes/', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(res.status, 404);
    assert.match(res.text, /No route serves app\.example\.test/);
    for (const host of ['127.0.0.1', '[::1]', 'LOCALHOST:9999']) {
      const r = await gw.send(host, '/healthz');
      assert.equal(r.status, 200, host);
    }
  });

  test('route lifecycle: create 201 with id, read, list, patch, delete', async () => {
    const created = await gw.api('POST', '/api/v1/routes/', {
      host: 'crud.test',
      path: '/a',
      target: 'http://127.0.0.1:9',
    });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-z]{26}$/);
    assert.equal(created.body.priority, 0);
    const id = created.body.id as string;
    assert.equal((await gw.api('GET', `/api/v1/routes/${id}`)).body.host, 'crud.test');
    assert.ok((await gw.api('GET', '/api/v1/routes')).body.routes.some((r: { id: string }) => r.id === id));
    const patched = await gw.api('PATCH', `/api/v1/routes/${id}`, {
      priority: 3,
      timeouts: { responseMs: 500 },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.priority, 3);
    assert.deepEqual(patched.body.timeouts, { connectMs: 10_000, responseMs: 500, idleMs: 300_000 });
    assert.equal(patched.body.host, 'crud.test');
    assert.equal((await gw.api('DELETE', `/api/v1/routes/${id}`)).status, 204);
    const gone = await gw.api('GET', `/api/v1/routes/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'NOT_FOUND');
    assert.equal((await gw.api('DELETE', `/api/v1/routes/${id}`)).status, 404);
  });

  test('bad route input: 400 naming the field, and nothing is stored', async () => {
    const before = (await gw.api('GET', '/api/v1/routes/')).body.routes.length;
    const cases: [body: unknown, field: string | undefined, error: string][] = [
      [{ host: 'x.test' }, 'target', 'VALIDATION_FAILED'],
      [{ host: 'x.test:80', target: 'http://a' }, 'host', 'VALIDATION_FAILED'],
      [
        { host: 'x.test', target: 'http://a', requestHeaders: { set: { a: 'b\nc' } } },
        'requestHeaders.set.a',
        'VALIDATION_FAILED',
      ],
      [{ host: 'x.test', target: 'http://a', extra: 1 }, 'extra', 'VALIDATION_FAILED'],
      [{ host: 'x.test', taget: 'http://a' }, 'taget', 'VALIDATION_FAILED'],
      ['{"host":', undefined, 'INVALID_JSON'],
      [[1, 2], undefined, 'VALIDATION_FAILED'],
    ];
    for (const [body, field, error] of cases) {
      const res = await gw.api('POST', '/api/v1/routes/', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, error);
      assert.equal(res.body.field, field);
      assert.equal(typeof res.body.message, 'string');
    }
    const noType = await request(`${gw.url}/api/v1/routes/`, {
      method: 'POST',
      headers: { host: 'localhost', authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(noType.statusCode, 415);
    await noType.body.dump();
    const huge = await gw.api('POST', '/api/v1/routes/', {
      host: 'x.test',
      target: 'http://a',
      pad: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.equal(huge.status, 413);
    const typo = await gw.api('POST', '/api/v1/routes/', { host: 'x.test', taget: 'http://a' });
    assert.equal(typo.body.message, 'unknown field: taget (did you mean target?)');
    assert.equal((await gw.api('GET', '/api/v1/routes/')).body.routes.length, before);
  });

  test('a bad patch changes nothing', async () => {
    const { id } = await gw.addRoute({ host: 'patch.test', target: 'http://127.0.0.1:9' });
    const res = await gw.api('PATCH', `/api/v1/routes/${id}`, { host: 'not a host' });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'host');
    assert.equal((await gw.api('GET', `/api/v1/routes/${id}`)).body.host, 'patch.test');
    assert.equal((await gw.api('PATCH', '/api/v1/routes/nope', { priority: 1 })).status, 404);
  });

  test('keys: the secret is shown once, listings show a prefix, revoked keys stop working', async () => {
    const made = await gw.api('POST', '/api/v1/keys/', { name: 'ci' });
    assert.equal(made.status, 201);
    const secret = made.body.secret as string;
    assert.match(secret, /^gk_/);
    assert.ok(secret.startsWith(made.body.prefix));
    const listed = await gw.api('GET', '/api/v1/keys/');
    const entry = listed.body.keys.find((k: { id: string }) => k.id === made.body.id);
    assert.equal(entry.name, 'ci');
    assert.equal(entry.secret, undefined);
    assert.equal(entry.hash, undefined);
    assert.ok(!JSON.stringify(listed.body).includes(secret));
    assert.equal((await gw.api('GET', '/api/v1/routes/', undefined, secret)).status, 200);
    assert.equal((await gw.api('DELETE', `/api/v1/keys/${made.body.id}`)).status, 200);
    assert.equal((await gw.api('GET', '/api/v1/routes/', undefined, secret)).status, 401);
    assert.equal((await gw.api('DELETE', `/api/v1/keys/${made.body.id}`)).status, 404);
    assert.equal((await gw.api('POST', '/api/v1/keys/', { name: '' })).body.field, 'name');
  });

  test('key names and route targets with control or bidirectional characters are refused, naming the character', async () => {
    const names: [string, RegExp][] = [
      ['ci\u202Egpj.exe', /U\+202E RIGHT-TO-LEFT OVERRIDE \(a bidirectional control\) at character 3/],
      ['ci\0', /U\+0000 NULL \(a control character\) at character 3/],
      ['ci\nkey', /U\+000A LINE FEED/],
      ['c\u0085i', /U\+0085 NEXT LINE/],
      ['\u2066ci', /U\+2066 LEFT-TO-RIGHT ISOLATE .* at character 1/],
      ['c\x1bi', /U\+001B ESCAPE/],
    ];
    for (const [name, why] of names) {
      const res = await gw.api('POST', '/api/v1/keys/', { name });
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.equal(res.body.error, 'VALIDATION_FAILED');
      assert.equal(res.body.field, 'name');
      assert.match(res.body.message, why);
    }
    assert.ok(
      (await gw.api('GET', '/api/v1/keys/')).body.keys.every((k: { name: string }) =>
        /^[\x20-\x7e]+$/.test(k.name),
      ),
      'none of them was stored',
    );
    const route = await gw.api('POST', '/api/v1/routes/', {
      host: 'crlf.test',
      target: 'http://127.0.0.1:9/a\r\nX-Injected: 1',
    });
    assert.equal(route.status, 400);
    assert.equal(route.body.field, 'target');
    assert.match(route.body.message, /^target: must not contain U\+000D CARRIAGE RETURN/);
    const stored = (await gw.api('GET', '/api/v1/routes/')).body;
    assert.ok(!JSON.stringify(stored).includes('crlf.test'), 'the route was not stored');
  });

  test('keys: the list shows GATEHOUSE_ADMIN_KEY first, and which key the request came with', async () => {
    const made = await gw.api('POST', '/api/v1/keys/', { name: 'second' });
    const byEnv = (await gw.api('GET', '/api/v1/keys/')).body.keys;
    assert.deepEqual(byEnv[0], {
      id: 'env',
      name: 'GATEHOUSE_ADMIN_KEY',
      prefix: ADMIN_KEY.slice(0, 9),
      source: 'environment',
      inUse: true,
      createdAt: null,
      revokedAt: null,
    });
    assert.deepEqual(
      byEnv.filter((k: { inUse: boolean }) => k.inUse).map((k: { id: string }) => k.id),
      ['env'],
    );
    const byMade = (await gw.api('GET', '/api/v1/keys/', undefined, made.body.secret)).body.keys;
    assert.deepEqual(
      byMade.filter((k: { inUse: boolean }) => k.inUse).map((k: { id: string }) => k.id),
      [made.body.id],
    );
    assert.equal((await gw.api('GET', '/api/v1/keys/env')).body.source, 'environment');
    const revoke = await gw.api('DELETE', '/api/v1/keys/env');
    assert.equal(revoke.status, 409);
    assert.equal(revoke.body.error, 'ADMIN_KEY_FROM_ENVIRONMENT');
    assert.match(revoke.body.message, /unset the variable and restart/);
    assert.equal((await gw.api('GET', '/api/v1/routes/')).status, 200);
  });

  test('health, readiness, metrics and the OpenAPI document', async () => {
    assert.deepEqual((await gw.send('localhost', '/healthz')).text, '{"status":"ok"}');
    const ready = JSON.parse((await gw.send('localhost', '/readyz')).text);
    assert.equal(ready.status, 'ready');
    assert.equal(ready.store, 'sqlite');
    const metrics = await gw.send('localhost', '/metrics');
    assert.match(metrics.text, /gatehouse_http_requests_total\{kind="admin",status="200"\}/);
    assert.match(metrics.text, /gatehouse_http_request_duration_seconds_bucket/);
    assert.match(metrics.text, /gatehouse_open_connections/);
    const doc = JSON.parse((await gw.send('localhost', '/api/v1/openapi.json')).text);
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/routes/'].post);
    const variants = doc.components.schemas.RouteInput.oneOf as {
      properties: Record<string, { const?: string }>;
      required: string[];
    }[];
    assert.deepEqual(
      variants.map((v) => v.properties['kind']?.const),
      ['proxy', 'relay', 'tunnel', 'static', 'fleet-proxy', 'fleet-login', 'mcp'],
    );
    for (const v of variants) {
      assert.ok(v.properties['host'], 'every kind has a host');
      assert.ok(!v.required.includes('kind'), 'kind may be left out');
    }
  });
});

describe('admin keys without GATEHOUSE_ADMIN_KEY', () => {
  test('first start makes a key; the last active key cannot be revoked', async (t) => {
    const gw = await startTestGateway({ adminKey: null });
    t.after(() => gw.stop());
    const key = gw.gateway.bootstrapKey;
    assert.ok(key);
    const list = await gw.api('GET', '/api/v1/keys/', undefined, key);
    assert.equal(list.body.keys.length, 1);
    const res = await gw.api('DELETE', `/api/v1/keys/${list.body.keys[0].id}`, undefined, key);
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'LAST_ADMIN_KEY');
    assert.equal((await gw.api('GET', '/api/v1/routes/', undefined, key)).status, 200);
  });

  test('after a lost key is replaced by GATEHOUSE_ADMIN_KEY and revoked, the list shows the key in use', async () => {
    const first = await startTestGateway({ adminKey: null });
    const dataDir = first.dataDir;
    await first.gateway.stop();
    const recovered = await startTestGateway({ dataDir, adminKey: ADMIN_KEY });
    try {
      const lost = (await recovered.api('GET', '/api/v1/keys/')).body.keys.find(
        (k: { name: string }) => k.name === 'bootstrap',
      );
      assert.equal((await recovered.api('DELETE', `/api/v1/keys/${lost.id}`)).status, 200);
      const keys = (await recovered.api('GET', '/api/v1/keys/')).body.keys;
      assert.deepEqual(
        keys.map((k: { name: string; revokedAt: string | null; inUse: boolean }) => [
          k.name,
          k.revokedAt === null,
          k.inUse,
        ]),
        [
          ['GATEHOUSE_ADMIN_KEY', true, true],
          ['bootstrap', false, false],
        ],
      );
    } finally {
      await recovered.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
