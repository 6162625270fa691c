import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { ExchangeRecord } from '../src/tunnel/agent/local-forwarder.ts';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { spawnServe } from './helpers/cli-process.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type OutcomeServer, startOutcomeServer, within } from './helpers/request-outcomes.ts';

/** How long a cut may take to reach the other side; far longer than it needs on loopback. */
const CUT_MS = 10_000;

/** Resolves with the agent's record of the exchange for `path`, once it is over. */
async function exchangeEnd(agent: TunnelAgent, path: string): Promise<ExchangeRecord> {
  for (;;) {
    const [record] = await once(agent, 'response');
    if (record.path === path) return record;
  }
}

/** Opens a connection to the gateway and writes the start of a request. */
async function startRequest(port: number, bytes: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(bytes);
  return socket;
}

describe('a public request cut short reaches the local server as cut, not complete', () => {
  let gw: TestGateway;
  let local: OutcomeServer;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await startOutcomeServer();
    agent = await startAgent(gw, await createTunnel(gw, 'uploads'), local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await local.close();
  });

  const head = (path: string, framing: string) =>
    `POST ${path} HTTP/1.1\r\nhost: uploads.localhost\r\n${framing}\r\n\r\n`;

  test('a whole chunked upload still arrives complete', async () => {
    const socket = await startRequest(
      gw.port,
      `${head('/whole', 'transfer-encoding: chunked')}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
    );
    assert.deepEqual(await within(local.outcome('/whole'), CUT_MS, 'the upload'), {
      ended: 'complete',
      body: 'hello world',
    });
    socket.destroy();
  });

  test('chunked, the client resets mid-body', async () => {
    const socket = await startRequest(
      gw.port,
      `${head('/chunked-reset', 'transfer-encoding: chunked')}5\r\nhello\r\n`,
    );
    await local.received('/chunked-reset', 'hello');
    socket.resetAndDestroy();
    const outcome = await within(local.outcome('/chunked-reset'), CUT_MS, 'the cut upload');
    assert.equal(outcome.ended, 'aborted');
  });

  test('chunked, the client closes mid-body', async () => {
    const socket = await startRequest(
      gw.port,
      `${head('/chunked-fin', 'transfer-encoding: chunked')}5\r\nhello\r\n`,
    );
    await local.received('/chunked-fin', 'hello');
    socket.end();
    const outcome = await within(local.outcome('/chunked-fin'), CUT_MS, 'the cut upload');
    assert.equal(outcome.ended, 'aborted');
  });

  test('chunked, a malformed chunk mid-body', async () => {
    const socket = await startRequest(
      gw.port,
      `${head('/chunked-bad', 'transfer-encoding: chunked')}5\r\nhello\r\n`,
    );
    await local.received('/chunked-bad', 'hello');
    socket.write('zz\r\nnot a chunk\r\n');
    const outcome = await within(local.outcome('/chunked-bad'), CUT_MS, 'the broken upload');
    assert.equal(outcome.ended, 'aborted');
    socket.destroy();
  });

  test('Content-Length with a shorter body, then FIN', async () => {
    const socket = await startRequest(gw.port, `${head('/short', 'content-length: 100')}hello`);
    await local.received('/short', 'hello');
    socket.end();
    const outcome = await within(local.outcome('/short'), CUT_MS, 'the short upload');
    assert.equal(outcome.ended, 'aborted');
  });

  test('Content-Length with no body at all, then FIN', async () => {
    const exchanged = exchangeEnd(agent, '/empty');
    const socket = await startRequest(gw.port, head('/empty', 'content-length: 10'));
    socket.end();
    const record = await within(exchanged, CUT_MS, 'the end of the exchange');
    assert.match(record.error ?? '', /cut short/);
    // A local server that saw the request at all saw it cut (an unstarted one sees nothing).
    const seen = local.peek('/empty');
    if (seen !== undefined) assert.equal((await local.outcome('/empty')).ended, 'aborted');
  });
});

describe('the gateway killed mid-upload', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-killed-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the agent aborts the local request', async (t) => {
    const key = 'gk_killed-mid-upload';
    const gh = await spawnServe(['--data', dir, '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: key });
    t.after(() => gh.stop('SIGKILL'));
    const local = await startOutcomeServer();
    t.after(() => local.close());
    const server = `http://127.0.0.1:${gh.port}`;
    let agent: TunnelAgent | undefined;
    const created = await request(`${server}/api/v1/tunnels/`, {
      method: 'POST',
      headers: { host: 'localhost', authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'doomed' }),
    });
    const tunnel = (await created.body.json()) as { name: string; key: string };
    agent = await startAgent({ url: server } as TestGateway, tunnel, local.url, { backoffBaseMs: 60_000 });
    t.after(() => agent?.stop());
    const socket = await startRequest(
      gh.port,
      'POST /upload HTTP/1.1\r\nhost: doomed.localhost\r\ntransfer-encoding: chunked\r\n\r\n' +
        'a\r\nfirst part\r\n',
    );
    await local.received('/upload', 'first part');
    await gh.stop('SIGKILL');
    const outcome = await within(local.outcome('/upload'), CUT_MS, 'the orphaned upload');
    assert.equal(outcome.ended, 'aborted');
    socket.destroy();
  });
});

describe('a local response cut short reaches the public client as cut, not complete', () => {
  let gw: TestGateway;
  let local: Server;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = createServer((req, res) => {
      if (req.url === '/whole') {
        res.end('all of it');
        return;
      }
      res.writeHead(200, req.url === '/sized' ? { 'content-length': '1000' } : {});
      res.write('the first part');
      // The local server dies mid-answer once the first part is on its way.
      setImmediate(() => res.socket?.destroy());
    });
    local.listen(0, '127.0.0.1');
    await once(local, 'listening');
    const { port } = local.address() as { port: number };
    agent = await startAgent(gw, await createTunnel(gw, 'downloads'), `http://127.0.0.1:${port}`);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    local.closeAllConnections();
    local.close();
  });

  const fetchBody = async (path: string) => {
    const res = await request(`${gw.url}${path}`, { headers: { host: 'downloads.localhost' } });
    return res.body.text();
  };

  test('a whole answer still arrives whole', async () => {
    assert.equal(await fetchBody('/whole'), 'all of it');
  });

  test('chunked: the client sees the connection cut', async () => {
    await assert.rejects(
      within(fetchBody('/chunked'), CUT_MS, 'the cut answer'),
      /terminated|closed|aborted/i,
    );
  });

  test('with Content-Length: the client sees the connection cut', async () => {
    await assert.rejects(within(fetchBody('/sized'), CUT_MS, 'the cut answer'), /terminated|closed|aborted/i);
  });
});
