import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/core/logger.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawExchange, rawSend } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

test('a password in an absolute-form target stays out of the access log', async () => {
  const lines: string[] = [];
  const logged = await startTestGateway({
    logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
  });
  try {
    await rawExchange(
      logged.port,
      'GET http://user:hunter2@bad.test/where?token=t0p HTTP/1.1\r\nHost: bad.test\r\nConnection: close\r\n\r\n',
    );
    const access = lines.find((line) => line.includes('"msg":"request"'));
    assert.ok(access, 'the refusal is logged');
    assert.match(access, /"path":"http:\/\/bad\.test\/where"/);
    assert.doesNotMatch(lines.join(''), /hunter2|t0p/);
  } finally {
    await logged.stop();
  }
});

describe('malformed requests are refused without touching the upstream', () => {
  let gw: TestGateway;
  let up: Upstream;
  before(async () => {
    gw = await startTestGateway();
    up = await startUpstream();
    await gw.addRoute({ host: 'bad.test', target: up.url });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  const cases: [name: string, raw: string, status: number][] = [
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: bad.test\r\nHost: bad.test\r\n\r\n', 400],
    ['two different Host headers', 'GET / HTTP/1.1\r\nHost: bad.test\r\nHost: other.test\r\n\r\n', 400],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['Host with a path in it', 'GET / HTTP/1.1\r\nHost: bad.test/evil\r\n\r\n', 400],
    ['garbage request line', 'GARBAGE\r\n\r\n', 400],
    ['space inside the target', 'GET /a b HTTP/1.1\r\nHost: bad.test\r\n\r\n', 400],
    ['oversized headers', `GET / HTTP/1.1\r\nHost: bad.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    [
      'Content-Length with Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    [
      'two Content-Length values',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      400,
    ],
    ['negative Content-Length', 'POST / HTTP/1.1\r\nHost: bad.test\r\nContent-Length: -1\r\n\r\n', 400],
    ['CR inside a header value', 'GET / HTTP/1.1\r\nHost: bad.test\r\nX-A: a\rX-Injected: b\r\n\r\n', 400],
    ['NUL inside a header value', 'GET / HTTP/1.1\r\nHost: bad.test\r\nX-A: a\0b\r\n\r\n', 400],
    ['space in a header name', 'GET / HTTP/1.1\r\nHost: bad.test\r\nBad Header: x\r\n\r\n', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: bad.test\r\nX-A: a\r\n folded\r\n\r\n', 400],
    ['absolute-form naming another host', 'GET http://other.test/ HTTP/1.1\r\nHost: bad.test\r\n\r\n', 400],
    ['asterisk-form', 'OPTIONS * HTTP/1.1\r\nHost: bad.test\r\n\r\n', 400],
    [
      'unsupported transfer coding',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nTransfer-Encoding: gzip\r\n\r\n',
      501,
    ],
    ['CONNECT', 'CONNECT bad.test:443 HTTP/1.1\r\nHost: bad.test:443\r\n\r\n', 405],
    [
      'absolute-form with user and password',
      'GET http://user:pass@bad.test/ HTTP/1.1\r\nHost: bad.test\r\n\r\n',
      400,
    ],
    ['absolute-form with a user name', 'GET http://user@bad.test/ HTTP/1.1\r\nHost: bad.test\r\n\r\n', 400],
    ['absolute-form with an empty userinfo', 'GET http://@bad.test/ HTTP/1.1\r\nHost: bad.test\r\n\r\n', 400],
    [
      'identity before chunked',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nTransfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      501,
    ],
    [
      'gzip before chunked',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      501,
    ],
    [
      'a coding and chunked in two headers',
      'POST / HTTP/1.1\r\nHost: bad.test\r\nTransfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      501,
    ],
  ];
  for (const [name, raw, status] of cases) {
    test(`${name} → ${status}`, async () => {
      const before = up.seen.length;
      const answer = await rawExchange(gw.port, raw);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer.slice(0, 200));
      assert.equal(up.seen.length, before, 'the upstream saw nothing');
    });
  }

  test('random and truncated bytes never take the server down', async () => {
    for (let i = 0; i < 100; i++) {
      const junk =
        i % 2 === 0
          ? randomBytes(1 + ((i * 37) % 3000))
          : Buffer.from('GET / HTTP/1.1\r\nHost: bad.test\r\nX-'.slice(0, i % 35));
      // The server sees the end of the input after the junk; the exchange is over once it closes.
      await rawSend(gw.port, junk);
    }
    const ok = await gw.send('bad.test', '/still-alive');
    assert.equal(ok.status, 200);
    assert.ok(
      up.seen.every((r) => r.url === '/still-alive'),
      'nothing malformed reached the upstream',
    );
  });

  test('the refusals say what was wrong', async () => {
    const credentials = await rawExchange(
      gw.port,
      'GET http://user:secret@bad.test/ HTTP/1.1\r\nHost: bad.test\r\nAccept: application/json\r\n\r\n',
    );
    assert.match(credentials, /user name or password .* Authorization header/);
    const coding = await rawExchange(
      gw.port,
      'POST / HTTP/1.1\r\nHost: bad.test\r\nAccept: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    );
    assert.match(coding, /"error":"TRANSFER_CODING_UNSUPPORTED"/);
    assert.match(coding, /the gzip transfer coding, which Gatehouse does not decode/);
  });

  test('absolute-form that agrees with Host is served', async () => {
    const answer = await rawExchange(
      gw.port,
      'GET http://bad.test/abs?x=1 HTTP/1.1\r\nHost: bad.test\r\nConnection: close\r\n\r\n',
    );
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.equal(up.seen.at(-1)?.url, '/abs?x=1');
  });

  test('dot segments are resolved before routing and forwarding', async () => {
    await gw.addRoute({ host: 'dots.test', path: '/public', target: up.url });
    const answer = await rawExchange(
      gw.port,
      'GET /public/../private HTTP/1.1\r\nHost: dots.test\r\nConnection: close\r\n\r\n',
    );
    assert.match(answer, /^HTTP\/1\.1 404 /, 'the path is /private, which no route serves');
  });
});
