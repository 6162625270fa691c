import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

describe('a valid request followed by unparsable bytes gets its answer, then the 400', () => {
  let gw: TestGateway;
  let up: Upstream;
  let agent: TunnelAgent;
  before(async () => {
    gw = await startTestGateway();
    // A little later than the bad bytes are parsed, as any real upstream answers.
    up = await startUpstream((req, res) => setImmediate(() => res.end(`did ${req.method} ${req.url}`)));
    await gw.addRoute({ host: 'edge.test', target: up.url });
    agent = await startAgent(gw, await createTunnel(gw, 'piped'), up.url);
  });
  after(async () => {
    agent.stop();
    await gw.stop();
    await up.close();
  });

  for (const [through, host] of [
    ['an edge route', 'edge.test'],
    ['a tunnel', 'piped.localhost'],
  ] as const) {
    test(`through ${through}`, async () => {
      const path = `/once-${through.split(' ').at(-1)}`;
      const answer = await rawExchange(
        gw.port,
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n`,
      );
      assert.equal(up.seen.filter((r) => r.url === path).length, 1, 'the upstream acted on the request');
      const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
      assert.match(first ?? '', /^HTTP\/1\.1 200 /, answer);
      assert.match(first ?? '', new RegExp(`did POST ${path}$`));
      assert.match(second ?? '', /^HTTP\/1\.1 400 /, answer);
      assert.match(second ?? '', /connection: close/i);
    });

    test(`a TE header frames no body through ${through}: the chunks after it are a bad next request`, async () => {
      // TE names the codings accepted in the answer (RFC 9110 section 10.1.4); only
      // Transfer-Encoding and Content-Length frame a request, so this one has no body.
      const path = `/te-${through.split(' ').at(-1)}`;
      const answer = await rawExchange(
        gw.port,
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nTE: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      );
      const seen = up.seen.filter((r) => r.url === path);
      assert.equal(seen.length, 1, 'one request reached the upstream');
      assert.equal(seen[0]!.body, '', 'with no body');
      assert.equal(seen[0]!.headers['te'], undefined, 'and no TE, a hop-by-hop header');
      const [first, second, third] = answer.split(/(?=HTTP\/1\.1 )/);
      assert.match(first ?? '', /^HTTP\/1\.1 200 /, answer);
      assert.match(second ?? '', /^HTTP\/1\.1 400 /, answer);
      assert.match(second ?? '', /connection: close/i, 'nothing after the bad bytes is read');
      assert.equal(third, undefined, answer);
    });
  }
});
