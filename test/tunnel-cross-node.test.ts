import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { NODE_LINK_PATH, NODE_LINK_UPGRADE } from '../src/tunnel/server/node-links.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { spawnServe } from './helpers/cli-process.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { freePort, type RedisServer, startRedis } from './helpers/redis.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const SECRET = 'ab'.repeat(32);

/** Sends one request for `host` to a node; resolves with its status and body, or the failure. */
async function call(node: TestGateway, host: string, path: string, body?: string) {
  try {
    const res = await request(`${node.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { host },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (error) {
    return { status: 0, text: (error as Error).message };
  }
}

describe('a tunnel reachable from every node of a deployment', () => {
  let redis: RedisServer;
  let nodes: TestGateway[];
  let local: Upstream;
  /** How many times the local server saw each request id. */
  const seen = new Map<string, number>();
  let tunnel: { name: string; key: string };
  let agent: TunnelAgent;

  before(async () => {
    redis = await startRedis();
    nodes = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      nodes.push(
        await startTestGateway({
          flags: { store: redis.url, port: String(port), 'node-address': `127.0.0.1:${port}` },
          env: { GATEHOUSE_SECRET_KEY: SECRET },
        }),
      );
    }
    local = await startUpstream((req, res, body) => {
      const id = String(req.headers['x-id'] ?? '');
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.end(`${req.method} ${req.url} ${body.length} ${req.headers.host}`);
    });
    tunnel = await createTunnel(nodes[0]!, 'roaming');
    agent = await startAgent(nodes[0]!, tunnel, local.url);
  });
  after(async () => {
    agent.stop();
    for (const node of nodes) await node.stop();
    await local.close();
    await redis.stop();
  });

  test('a request at any node reaches the agent connected to one of them, once', async () => {
    for (const [i, node] of nodes.entries()) {
      const got = await call(node, 'roaming.localhost', `/from-${i}`, 'x'.repeat(100_000 * i));
      assert.equal(got.status, 200, `node ${i}: ${got.text}`);
      assert.match(got.text, new RegExp(`^POST /from-${i} ${100_000 * i} 127\\.0\\.0\\.1:`));
    }
  });

  test('every node lists the tunnel online, as the node holding it recorded it', async () => {
    for (const node of nodes) {
      const view = (await node.api('GET', '/api/v1/tunnels/roaming')).body;
      assert.equal(view.online, true);
      assert.equal(view.agentVersion, 'test');
    }
  });

  test('a node that dies without a word: its claim runs out, and the tunnel comes back with its agent elsewhere', async (t) => {
    const fragile = await createTunnel(nodes[0]!, 'fragile');
    const port = await freePort();
    const doomed = await spawnServe(
      [
        '--store',
        redis.url,
        '--port',
        String(port),
        '--node-address',
        `127.0.0.1:${port}`,
        '--tunnel-heartbeat',
        '200',
      ],
      { GATEHOUSE_SECRET_KEY: SECRET, GATEHOUSE_ADMIN_KEY: ADMIN_KEY },
    );
    t.after(() => doomed.stop('SIGKILL'));
    const first = await startAgent(nodes[0]!, fragile, local.url, {
      server: `http://127.0.0.1:${port}`,
    });
    assert.equal((await call(nodes[1]!, 'fragile.localhost', '/before')).status, 200);
    await doomed.stop('SIGKILL');
    first.stop();
    await waitFor('the dead node’s claim to run out', async () => {
      return (await nodes[1]!.api('GET', '/api/v1/tunnels/fragile')).body.online === false;
    });
    assert.equal((await call(nodes[1]!, 'fragile.localhost', '/while-gone')).status, 503);
    const second = await startAgent(nodes[2]!, fragile, local.url);
    t.after(() => second.stop());
    assert.equal((await call(nodes[0]!, 'fragile.localhost', '/after')).status, 200);
  });

  test('a link without the deployment key is refused before anything is upgraded', async () => {
    const req = httpRequest(`${nodes[1]!.url}${NODE_LINK_PATH}`, {
      headers: {
        host: 'localhost',
        connection: 'upgrade',
        upgrade: NODE_LINK_UPGRADE,
        authorization: `Bearer other-node.${Date.now()}.${'0'.repeat(64)}`,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      assert.fail('the link was upgraded');
    });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    assert.equal(res.statusCode, 401);
    let text = '';
    for await (const chunk of res) text += chunk;
    assert.match(text, /GATEHOUSE_SECRET_KEY/);
  });

  test('an agent hopping between nodes under traffic: nothing lost that was not in flight, nothing twice', async () => {
    let stop = false;
    let next = 0;
    const outcomes: { id: string; status: number }[] = [];
    const client = async (c: number) => {
      while (!stop) {
        const id = `r${next++}`;
        const node = nodes[(c + next) % nodes.length]!;
        try {
          const res = await request(`${node.url}/hop`, {
            headers: { host: 'roaming.localhost', 'x-id': id },
          });
          await res.body.text();
          outcomes.push({ id, status: res.statusCode });
        } catch {
          outcomes.push({ id, status: 0 });
        }
      }
    };
    const clients = [0, 1, 2].map(client);
    const hops = 4;
    for (let hop = 1; hop <= hops; hop++) {
      const before = outcomes.length;
      while (outcomes.length < before + 30) await new Promise((resolve) => setImmediate(resolve));
      agent.stop();
      agent = await startAgent(nodes[hop % nodes.length]!, tunnel, local.url);
    }
    const settled = outcomes.length;
    while (outcomes.length < settled + 30) await new Promise((resolve) => setImmediate(resolve));
    stop = true;
    await Promise.all(clients);

    const twice = [...seen].filter(([id, n]) => id.startsWith('r') && n > 1);
    assert.deepEqual(twice, [], 'no request reached the local server twice');
    const answered = outcomes.filter((o) => o.status === 200);
    for (const o of answered) assert.equal(seen.get(o.id), 1, `request ${o.id} answered 200 was seen once`);
    const failed = outcomes.filter((o) => o.status !== 200);
    for (const o of failed)
      assert.ok([502, 503].includes(o.status), `request ${o.id} failed with ${o.status}`);
    // Only requests in flight at a drop may fail: at most one per client per hop.
    assert.ok(failed.length <= hops * clients.length, `${failed.length} failed over ${hops} hops`);
    assert.ok(answered.length >= outcomes.length - failed.length);
  });
});
