import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { loginCommand } from '../src/cli/login-command.ts';
import { connectFailure } from '../src/http/connect-failure.ts';
import { outboundAgent, outboundFetch, outboundLookup } from '../src/http/outbound.ts';
import { type FatalReason, TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';

/** What {@link outboundLookup} answers for a name. */
function lookup(name: string, options: LookupOptions): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) =>
    outboundLookup(name, options, (error, address, family) =>
      error ? reject(error) : resolve(Array.isArray(address) ? address : `${address}/${family}`),
    ),
  );
}

/** Runs `gatehouse login` in this process; resolves with its exit code and what it wrote to stderr. */
async function login(argv: string[]): Promise<{ code: number; stderr: string }> {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof write;
  try {
    const code = await loginCommand(argv, { XDG_CONFIG_HOME: '/nonexistent' });
    return { code, stderr: written.join('') };
  } finally {
    process.stderr.write = write;
  }
}

describe('the one lookup of every outbound connection', () => {
  const both = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ];
  const cases: [name: string, options: LookupOptions, answer: string | LookupAddress[]][] = [
    ['localhost', {}, '127.0.0.1/4'],
    ['gatehouse.localhost', {}, '127.0.0.1/4'],
    ['App.Gatehouse.LOCALHOST.', {}, '127.0.0.1/4'],
    ['gatehouse.localhost', { family: 6 }, '::1/6'],
    ['gatehouse.localhost', { all: true }, both],
    ['gatehouse.localhost', { all: true, family: 4 }, [both[0]!]],
    ['127.0.0.1', {}, '127.0.0.1/4'],
  ];
  for (const [name, options, answer] of cases) {
    test(`${name} ${JSON.stringify(options)} → loopback`, async () => {
      assert.deepEqual(await lookup(name, options), answer);
    });
  }

  test('a name under .invalid does not exist, without asking DNS', async () => {
    await assert.rejects(lookup('nowhere.invalid', {}), { code: 'ENOTFOUND', hostname: 'nowhere.invalid' });
  });

  test('a name with localhost inside it is no loopback name', async () => {
    await assert.rejects(lookup('gatehouse.localhost.invalid', {}), { code: 'ENOTFOUND' });
  });

  test("fetch through the outbound agent (the fleet commands') reaches *.localhost too", async () => {
    const server = createServer((req, res) => res.end(`fetched ${req.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const res = await outboundFetch(`http://sim.localhost:${port}/`);
      assert.equal(await res.text(), `fetched sim.localhost:${port}`);
    } finally {
      server.close();
    }
  });

  test('an undici request to *.localhost reaches a server on loopback', async () => {
    const server = createServer((req, res) => res.end(`hello ${req.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const dispatcher = outboundAgent();
    try {
      const res = await request(`http://gatehouse.localhost:${port}/`, { dispatcher });
      assert.equal(await res.body.text(), `hello gatehouse.localhost:${port}`);
    } finally {
      await dispatcher.close();
      server.close();
    }
  });
});

describe('why a connection failed, and whether trying again helps', () => {
  const error = (message: string, fields: Record<string, unknown> = {}, cause?: unknown) =>
    Object.assign(new Error(message, cause === undefined ? {} : { cause }), fields);
  const wrongVersion = error(
    '40BD:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number',
    {
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
    },
  );
  const cases: [name: string, error: unknown, url: string, permanent: boolean, message: string][] = [
    [
      'a name that does not exist, inside fetch failed',
      error(
        'fetch failed',
        {},
        error('getaddrinfo ENOTFOUND gh.example', { code: 'ENOTFOUND', hostname: 'gh.example' }),
      ),
      'https://gh.example',
      true,
      'the name gh.example does not exist (DNS answered ENOTFOUND); check the host name in https://gh.example',
    ],
    [
      'https to a plain port (OpenSSL 3)',
      wrongVersion,
      'https://127.0.0.1:8080',
      true,
      'the server at 127.0.0.1:8080 speaks plain HTTP, not TLS: use http://127.0.0.1:8080',
    ],
    [
      'https to a plain port (packet length too long, inside EPROTO)',
      error('write EPROTO 0A0000C6:SSL routines:tls_get_more_records:packet length too long', {
        code: 'EPROTO',
      }),
      'https://relay.example:8443',
      true,
      'the server at relay.example:8443 speaks plain HTTP, not TLS: use http://relay.example:8443',
    ],
    [
      'a TLS-looking error on a plain http URL is not about the scheme',
      wrongVersion,
      'http://127.0.0.1:8080',
      false,
      wrongVersion.message,
    ],
    [
      'refused: may pass',
      error('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }),
      'http://127.0.0.1:1',
      false,
      'connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'a resolver that cannot answer now: may pass',
      error('getaddrinfo EAI_AGAIN gh.example', { code: 'EAI_AGAIN' }),
      'https://gh.example',
      false,
      'getaddrinfo EAI_AGAIN gh.example',
    ],
  ];
  for (const [name, thrown, url, permanent, message] of cases) {
    test(name, () => {
      assert.deepEqual(connectFailure(thrown, new URL(url)), { permanent, message });
    });
  }
});

describe('the agent stops at once where no retry can help', () => {
  let plain: ReturnType<typeof createServer>;
  let port: number;
  before(async () => {
    plain = createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    port = (plain.address() as { port: number }).port;
  });
  after(() => plain.close());

  for (const [server, message] of [
    [
      'http://nowhere.invalid:8080',
      /^cannot reach http:\/\/nowhere\.invalid:8080: the name nowhere\.invalid does not exist/,
    ],
    ['https://127.0.0.1:PORT', /speaks plain HTTP, not TLS: use http:\/\/127\.0\.0\.1:\d+$/],
  ] as const) {
    test(server, async () => {
      const agent = new TunnelAgent({
        server: new URL(server.replace('PORT', String(port))),
        name: 'x',
        key: 'gt_x',
        version: 'test',
        retryForMs: 300_000,
      });
      const offline: string[] = [];
      agent.on('offline', (reason) => offline.push(reason));
      const fatal = await new Promise<FatalReason>((resolve) => {
        agent.once('fatal', resolve);
        agent.start();
      });
      assert.equal(fatal.kind, 'unreachable');
      assert.ok(fatal.kind === 'unreachable' && fatal.permanent);
      assert.match(fatal.message, message);
      assert.deepEqual(offline, [], 'no retry was scheduled');
    });
  }
});

describe('gatehouse login says what went wrong and what to do', () => {
  let answering: ReturnType<typeof createServer>;
  let port: number;
  before(async () => {
    answering = createServer((req, res) => {
      res.statusCode =
        req.url?.startsWith('/.well-known/') && req.headers.host?.startsWith('broken') ? 500 : 404;
      res.setHeader('content-type', 'application/json');
      res.end('{"error":"ROUTE_NOT_FOUND"}');
    });
    await new Promise<void>((resolve) => answering.listen(0, '127.0.0.1', resolve));
    port = (answering.address() as { port: number }).port;
  });
  after(() => answering.close());

  const cases: [name: string, server: string, message: RegExp][] = [
    [
      'a name that does not exist',
      'https://gatehouse.invalid',
      /^gatehouse login: cannot reach https:\/\/gatehouse\.invalid: the name gatehouse\.invalid does not exist/,
    ],
    [
      'https to a plain-HTTP port',
      'https://gatehouse.localhost:PORT',
      /^gatehouse login: cannot reach https:\/\/gatehouse\.localhost:\d+: the server at gatehouse\.localhost:\d+ speaks plain HTTP, not TLS: use http:\/\/gatehouse\.localhost:\d+\n$/,
    ],
    [
      'a server without login, reached through *.localhost',
      'http://gatehouse.localhost:PORT',
      /^gatehouse login: http:\/\/gatehouse\.localhost:\d+ answered 404 Not Found to \/\.well-known\/oauth-authorization-server; it has no login: check that --server is the Gatehouse/,
    ],
    [
      'a server that fails',
      'http://broken.localhost:PORT',
      /answered 500 Internal Server Error to \/\.well-known\/oauth-authorization-server; the server failed: its log says why/,
    ],
  ];
  for (const [name, server, message] of cases) {
    test(name, async () => {
      const { code, stderr } = await login(['--server', server.replace('PORT', String(port))]);
      assert.equal(code, 3);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /fetch failed|unexpected HTTP response status code|SSL routines/);
    });
  }
});
