import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';

/** A local HTTP server that records each request it parsed, with its whole body. */
async function recordingServer(): Promise<{
  server: Server;
  url: string;
  seen: { url: string; body: string }[];
}> {
  const seen: { url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body });
      res.end(`seen ${req.url}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('requests through a tunnel are framed the same at both ends: nothing can be smuggled', () => {
  let gw: TestGateway;
  let local: Awaited<ReturnType<typeof recordingServer>>;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    local = await recordingServer();
    agent = await startAgent(gw, await createTunnel(gw, 'framed'), local.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    local.server.close();
  });

  const H = 'Host: framed.localhost';
  const refused: [name: string, raw: string, status: number][] = [
    [
      'Content-Length with Transfer-Encoding (CL.TE)',
      `POST / HTTP/1.1\r\n${H}\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n`,
      400,
    ],
    [
      'Transfer-Encoding with Content-Length (TE.CL)',
      `POST / HTTP/1.1\r\n${H}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2a\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n\r\n0\r\n\r\n`,
      400,
    ],
    [
      'two Content-Length values',
      `POST / HTTP/1.1\r\n${H}\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n`,
      400,
    ],
    [
      'obsolete line folding',
      `POST / HTTP/1.1\r\n${H}\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n`,
      400,
    ],
    ['a bare LF ending a header line', `GET /smuggled HTTP/1.1\r\n${H}\nX-A: b\r\n\r\n`, 400],
    [
      'a chunk size with junk after it',
      `POST / HTTP/1.1\r\n${H}\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n`,
      400,
    ],
    [
      'a coding before chunked',
      `POST / HTTP/1.1\r\n${H}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n`,
      501,
    ],
  ];
  for (const [name, raw, status] of refused) {
    test(`${name} → ${status}, and the local server sees nothing`, async () => {
      const before = local.seen.length;
      const answer = await rawExchange(gw.port, raw, 1000);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer.slice(0, 200));
      assert.equal(local.seen.length, before, JSON.stringify(local.seen.slice(before)));
    });
  }

  test('pipelined requests with bodies arrive one by one, each body exactly as framed', async () => {
    const before = local.seen.length;
    const raw =
      `POST /one HTTP/1.1\r\n${H}\r\nContent-Length: 5\r\n\r\nhello` +
      `POST /two HTTP/1.1\r\n${H}\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n` +
      `GET /three HTTP/1.1\r\n${H}\r\nConnection: close\r\n\r\n`;
    const answer = await rawExchange(gw.port, raw, 2000);
    assert.equal(answer.match(/HTTP\/1\.1 200 /g)?.length, 3, answer);
    assert.deepEqual(local.seen.slice(before), [
      { url: '/one', body: 'hello' },
      { url: '/two', body: 'abc' },
      { url: '/three', body: '' },
    ]);
  });

  test('a body that looks like a request stays a body', async () => {
    const before = local.seen.length;
    const inner = `GET /smuggled HTTP/1.1\r\n${H}\r\n\r\n`;
    const raw = `POST /carrier HTTP/1.1\r\n${H}\r\nContent-Length: ${inner.length}\r\nConnection: close\r\n\r\n${inner}`;
    await rawExchange(gw.port, raw, 2000);
    assert.deepEqual(local.seen.slice(before), [{ url: '/carrier', body: inner }]);
  });
});

describe('a local server that answers more than it was asked cannot answer the next request', () => {
  let gw: TestGateway;
  let local: TcpServer;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    let first = true;
    local = createTcpServer((socket: Socket) => {
      socket.on('data', () => {
        // The first answer carries a second one nobody asked for.
        const extra = first ? 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nEVIL!' : '';
        first = false;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ngood${extra}`);
      });
    });
    local.listen(0, '127.0.0.1');
    await once(local, 'listening');
    const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
    agent = await startAgent(gw, await createTunnel(gw, 'chatty'), url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    local.close();
  });

  test('each public request gets the answer to itself', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await gw.send('chatty.localhost', `/n${i}`);
      assert.equal(res.text, 'good', `request ${i}`);
    }
  });
});
