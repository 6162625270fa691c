import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../src/config/load-config.ts';
import { ConfigError } from '../src/core/config-error.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const files: Record<string, string> = {
  'types.yaml': 'host: 5\n',
  'tls.yaml': 'tls:\n  prot: 1\n',
  'empty-hosts.yaml': 'tls:\n  certificates:\n    - { hosts: [], cert: a.pem, key: a.key }\n',
  'secret.yaml': 'relay:\n  secret: 12345\n',
};
const readFile = (path: string) => files[path] ?? '';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A bad value, and the whole message it must produce: the value, its key and what is allowed. */
const cases: [flags: Record<string, string>, env: Record<string, string>, message: string][] = [
  [
    { port: 'abc' },
    {},
    'invalid configuration: port (from --port): must be a port number from 0 to 65535, got "abc"',
  ],
  [
    {},
    { GATEHOUSE_PORT: '70000' },
    'invalid configuration: port (from environment variable GATEHOUSE_PORT): must be a port number from 0 to 65535, got "70000"',
  ],
  [
    { 'tls-port': '84.43' },
    {},
    'invalid configuration: tls.port (from --tls-port): must be a port number from 0 to 65535, got "84.43"',
  ],
  [
    { 'shutdown-timeout': 'soon' },
    {},
    'invalid configuration: shutdownTimeoutMs (from --shutdown-timeout): must be a whole number of milliseconds from 0 to 600000, got "soon"',
  ],
  [
    { 'max-header-size': '10' },
    {},
    'invalid configuration: maxHeaderSize (from --max-header-size): must be a whole number of bytes from 1024 to 1048576, got "10"',
  ],
  [
    { 'tunnel-max-body': 'lots' },
    {},
    'invalid configuration: tunnels.maxBodyBytes (from --tunnel-max-body): must be a whole number of bytes, 0 or more; got "lots"',
  ],
  [
    { 'tunnel-max-streams': '0' },
    {},
    'invalid configuration: tunnels.maxConcurrentStreams (from --tunnel-max-streams): must be a whole number from 1 to 10000, got "0"',
  ],
  [
    {},
    { DEV_PROXY_MAX_TTL: '1' },
    'invalid configuration: relay.maxTtlSeconds (from environment variable DEV_PROXY_MAX_TTL): must be a whole number of seconds from 60 to 604800, got "1"',
  ],
  [
    { 'log-level': 'loud' },
    {},
    'invalid configuration: logLevel (from --log-level): must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
  ],
  [
    { store: 'postgres://db' },
    {},
    'invalid configuration: store (from --store): must be a redis:// or rediss:// URL, got "postgres://db"',
  ],
  [{ data: '' }, {}, 'invalid configuration: data (from --data): must not be empty'],
  [
    { config: 'types.yaml' },
    {},
    'invalid configuration: host (from config file types.yaml): must be a string, got 5',
  ],
  [
    { config: 'tls.yaml' },
    {},
    'invalid configuration: tls.prot (from config file tls.yaml): is not a known setting; known here: port, cert, key, certificates',
  ],
  [
    { config: 'empty-hosts.yaml' },
    {},
    'invalid configuration: tls.certificates.0.hosts (from config file empty-hosts.yaml): must name at least one host',
  ],
];

describe('configuration messages', () => {
  for (const [flags, env, message] of cases) {
    test(message.replace(/^invalid configuration: /, ''), () => {
      const error = thrown(() => loadConfig({ flags, env, readFile }));
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.message, message);
    });
  }

  test('a switch in a config file reads its words, not the truth of any string', () => {
    const read = (text: string) =>
      loadConfig({ flags: { config: 'switch.yaml' }, env: {}, readFile: () => text });
    assert.equal(read('trustProxy: "false"').trustProxy, false);
    assert.equal(read('trustProxy: "off"').trustProxy, false);
    assert.equal(read('trustProxy: "yes"').trustProxy, true);
    assert.equal(read('relay: { enabled: "false" }').relay.enabled, false);
    assert.throws(
      () => read('trustProxy: "maybe"'),
      /trustProxy \(from config file switch\.yaml\): must be true or false, got "maybe"/,
    );
  });

  test('a short GATEHOUSE_SECRET_KEY is refused with what a key looks like, without repeating it', () => {
    assert.throws(
      () => loadConfig({ flags: {}, env: { GATEHOUSE_SECRET_KEY: 'tiny-key' }, readFile }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /secretKey \(from environment variable GATEHOUSE_SECRET_KEY\): must be 32 bytes/.test(e.message) &&
        !e.message.includes('tiny-key'),
    );
    assert.equal(
      loadConfig({ flags: {}, env: { GATEHOUSE_SECRET_KEY: 'ab'.repeat(32) } }).secretKey,
      'ab'.repeat(32),
    );
  });

  test('a secret is never repeated in a message', () => {
    const secret = 'short-secret';
    for (const [flags, env] of [
      [{}, { GATEHOUSE_RELAY_SECRET: secret }],
      [{ config: 'secret.yaml' }, {}],
    ] as const) {
      assert.throws(
        () => loadConfig({ flags, env, readFile }),
        (e: unknown) =>
          e instanceof ConfigError &&
          /relay\.secret/.test(e.message) &&
          !e.message.includes(secret) &&
          !e.message.includes('12345'),
      );
    }
  });
});

describe('gatehouse serve refusing to start', () => {
  const holder = createServer();
  const held = new Promise<number>((resolve) =>
    holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
  );
  after(() => holder.close());

  /** Runs `gatehouse serve` and resolves with its exit code and what it printed. */
  async function serve(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const cli = spawnCli(['serve', '--data', tempDir(), '--log-level', 'silent', ...args]);
    const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
    return { code, stderr: cli.stderr() };
  }

  const refusals: [name: string, args: () => Promise<string[]>, message: (port: number) => string][] = [
    [
      'a busy port names the port and the flag',
      async () => ['--host', '127.0.0.1', '--port', String(await held)],
      (port) =>
        `gatehouse: listener http: 127.0.0.1 port ${port} is already in use (EADDRINUSE); choose another port with --port or GATEHOUSE_PORT (0 picks a free one)\n`,
    ],
    [
      'an address of another machine names --host',
      // TEST-NET-1 (RFC 5737): never an address of this machine.
      async () => ['--host', '192.0.2.1', '--port', '0'],
      () =>
        'gatehouse: cannot listen on "192.0.2.1": it is not an address of this machine; give one of its addresses with --host or GATEHOUSE_HOST, or leave it out to listen on all of them\n',
    ],
    [
      'a bad value from the command line',
      async () => ['--port', 'abc'],
      () =>
        'gatehouse: invalid configuration: port (from --port): must be a port number from 0 to 65535, got "abc"\n',
    ],
    [
      'an unknown option says where the options are listed',
      async () => ['--prot', '8080'],
      () =>
        "gatehouse: Unknown option '--prot'. Did you mean '--port'?\nRun 'gatehouse serve --help' for its options.\n",
    ],
  ];
  for (const [name, args, message] of refusals) {
    test(name, async () => {
      const { code, stderr } = await serve(await args());
      assert.equal(stderr, message(await held), 'one line saying what to change, no stack trace');
      assert.equal(code, 2);
    });
  }
});
