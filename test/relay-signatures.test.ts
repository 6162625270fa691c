import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-signatures-secret';
const HOST = 'signed.example.test';
const TARGET = 'https://laptop.trycloudflare.test';

/** Hex HMAC-SHA256 of a text in the registration API's table (docs/guides/relay-and-webhooks.md). */
const hmac = (text: string) => createHmac('sha256', SECRET).update(text).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

async function call(gw: TestGateway, method: 'POST' | 'DELETE', path: string, body: unknown) {
  const res = await request(`${gw.url}/api/v1/dev-proxy${path}`, {
    method,
    headers: { host: HOST, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: string; message?: string } };
}

/** A registration body signed in the proposal's format, `"{tunnel_url}:{developer_id}:{timestamp}"`. */
function registration(developer: string, timestamp = now()) {
  return {
    tunnel_url: TARGET,
    developer_id: developer,
    timestamp,
    hmac_signature: hmac(`${TARGET}:${developer}:${timestamp}`),
  };
}

describe('relay signatures are bound to their operation and good for one request', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    await gw.addRoute({
      host: HOST,
      target: deployed.url,
      relay: { allowedTargets: ['*.trycloudflare.test'] },
    });
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
  });

  test('a register body replayed to DELETE /unregister is refused; the developer stays registered', async () => {
    const body = registration('alice');
    assert.equal((await call(gw, 'POST', '/register', body)).status, 201);
    const replayed = await call(gw, 'DELETE', '/unregister', body);
    assert.equal(replayed.status, 403);
    assert.equal(replayed.body.error, 'RELAY_SIGNATURE_INVALID');
    const status = await gw.send(HOST, '/api/v1/dev-proxy/status');
    assert.deepEqual(
      JSON.parse(status.text).registrations.map((r: { developer_id: string }) => r.developer_id),
      ['alice'],
    );
  });

  test('unregister signs "unregister:{target}:{developer_id}:{timestamp}"', async () => {
    assert.equal((await call(gw, 'POST', '/register', registration('bob'))).status, 201);
    const timestamp = now();
    const res = await call(gw, 'DELETE', '/unregister', {
      tunnel_url: TARGET,
      developer_id: 'bob',
      timestamp,
      hmac_signature: hmac(`unregister:${TARGET}:bob:${timestamp}`),
    });
    assert.equal(res.status, 200, res.body.message);
  });

  test('a signature used once is refused by every other operation whose text it also signs', async () => {
    // POST /states signs "{state}:{developer_id}:{timestamp}": with the state "tunnel:name" that is
    // exactly the text a tunnel registration signs.
    const timestamp = now();
    const signature = hmac(`tunnel:carol-laptop:carol:${timestamp}`);
    await gw.api('POST', '/api/v1/tunnels/', { name: 'carol-laptop' });
    const registered = await call(gw, 'POST', '/register', {
      tunnel: 'carol-laptop',
      developer_id: 'carol',
      timestamp,
      hmac_signature: signature,
    });
    assert.equal(registered.status, 201, registered.body.message);
    const reused = await call(gw, 'POST', '/states', {
      state: 'tunnel:carol-laptop',
      developer_id: 'carol',
      timestamp,
      hmac_signature: signature,
    });
    assert.equal(reused.status, 403);
    assert.equal(reused.body.error, 'RELAY_SIGNATURE_REPLAYED');
  });
});
