import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineCommand, optionOf } from '../src/cli/define-command.ts';
import { parseTunnelArgs } from '../src/cli/tunnel-args.ts';

const SERVER = ['--server', 'https://gatehouse.example.com'];

describe('gatehouse tunnel arguments', () => {
  const refused: [name: string, argv: string[], env: Record<string, string>, problem: RegExp][] = [
    ['no local target', [...SERVER, '--key', 'gt_x', '--name', 'a'], {}, /exactly one local URL or port/],
    ['two local targets', ['3000', '3001', ...SERVER], {}, /exactly one local URL or port/],
    ['a local URL of another scheme', ['ftp://x', ...SERVER], {}, /not an http\(s\) URL: ftp:\/\/x/],
    ['no server', ['3000'], {}, /--server \(or GATEHOUSE_SERVER\) must be the Gatehouse URL/],
    ['a server that is no URL', ['3000', '--server', 'gatehouse'], {}, /must be the Gatehouse URL/],
    ['a key without a name', ['3000', ...SERVER, '--key', 'gt_x'], {}, /--name \(or GATEHOUSE_TUNNEL\)/],
    ['a negative retry', ['3000', ...SERVER, '--retry-for=-1'], {}, /--retry-for must be a number/],
    [
      'a fractional body limit',
      ['3000', ...SERVER, '--inspect-body-limit', '1.5'],
      {},
      /whole number of bytes/,
    ],
    ['a bad inspector address', ['3000', ...SERVER, '--inspect', 'x:y'], {}, /--inspect must be HOST:PORT/],
    ['an unknown transport', ['3000', ...SERVER, '--transport', 'udp'], {}, /raw or websocket, not "udp"/],
    ['a bad transport from the environment', ['3000', ...SERVER], { GATEHOUSE_TRANSPORT: 'h3' }, /not "h3"/],
    ['a bad passthrough port', ['--tls-passthrough', '70000', ...SERVER], {}, /./],
  ];
  for (const [name, argv, env, problem] of refused)
    test(`refused: ${name}`, () => {
      const parsed = parseTunnelArgs(argv, env);
      assert.ok('problem' in parsed, `accepted ${argv.join(' ')}`);
      assert.match(parsed.problem, problem);
    });

  test('a port is a local http server on loopback; the environment fills what flags leave out', () => {
    const parsed = parseTunnelArgs(['3000'], {
      GATEHOUSE_SERVER: 'https://gh.example.com',
      GATEHOUSE_TUNNEL: 'ysg',
      GATEHOUSE_KEY: 'gt_k',
    });
    assert.ok(!('problem' in parsed) && !('help' in parsed));
    assert.equal(parsed.local?.url.href, 'http://127.0.0.1:3000/');
    assert.equal(parsed.server.origin, 'https://gh.example.com');
    assert.deepEqual([parsed.name, parsed.key, parsed.transport], ['ysg', 'gt_k', 'raw']);
    assert.deepEqual(parsed.inspect, { host: '127.0.0.1', port: 4040 });
    assert.equal(parsed.retryForSeconds, 300);
    assert.equal(parsed.localCheck, true);
  });

  test('flags win over the environment; --no-inspect and passthrough-only runs have no inspector', () => {
    const parsed = parseTunnelArgs(
      ['http://localhost:8000', ...SERVER, '--name', 'flag', '--no-inspect', '--no-local-check', '--json'],
      { GATEHOUSE_TUNNEL: 'env' },
    );
    assert.ok(!('problem' in parsed) && !('help' in parsed));
    assert.equal(parsed.name, 'flag');
    assert.equal(parsed.inspect, undefined);
    assert.equal(parsed.localCheck, false);
    assert.equal(parsed.json, true);
    const tls = parseTunnelArgs(['--tls-passthrough', '8443', ...SERVER, '--name', 'car'], {});
    assert.ok(!('problem' in tls) && !('help' in tls));
    assert.equal(tls.local, undefined);
    assert.equal(tls.inspect, undefined);
    assert.ok(tls.tlsPassthrough);
  });

  test('--help wins over everything else', () => {
    assert.deepEqual(parseTunnelArgs(['--help', 'nonsense', 'more'], {}), { help: true });
  });

  test('an unknown option is the parser error the CLI explains', () => {
    assert.throws(() => parseTunnelArgs(['3000', '--sever', 'x'], {}), {
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
  });
});

describe('defineCommand: one table for the help and the parser', () => {
  const rows: [usage: string, expected: ReturnType<typeof optionOf>][] = [
    ['--server URL', { name: 'server', type: 'string' }],
    ['--json', { name: 'json', type: 'boolean' }],
    ['-h, --help', { name: 'help', type: 'boolean', short: 'h' }],
    ['--resolve host[:port]=addr:port', { name: 'resolve', type: 'string' }],
  ];
  for (const [usage, expected] of rows)
    test(usage, () => assert.deepEqual(optionOf({ usage, does: 'x' }), expected));

  test('a repeatable option collects its values; a malformed usage is refused when defined', () => {
    assert.deepEqual(optionOf({ usage: '--trust CA.pem', does: 'x', repeatable: true }), {
      name: 'trust',
      type: 'string',
      multiple: true,
    });
    assert.throws(() => optionOf({ usage: 'server URL', does: 'x' }), /--name \[VALUE\]/);
  });

  test('the help lists every option the parser takes, and the parser takes what the help lists', () => {
    const command = defineCommand({
      usage: 'Usage: demo [options]',
      about: 'Does a demo.',
      options: [
        {
          heading: 'Options',
          options: [
            { usage: '--out DIR', does: 'Where to write' },
            { usage: '--trust CA.pem', does: 'Trust it', repeatable: true },
            { usage: '--json', does: 'JSON' },
          ],
        },
      ],
      footer: 'Exit codes: 0 done.',
    });
    assert.match(command.help, /^Usage: demo \[options\]\n\nDoes a demo\.\n\nOptions:\n {2}--out DIR/);
    assert.match(command.help, /\n\nExit codes: 0 done\.\n$/);
    const { values, positionals } = command.parse([
      'x',
      '--out',
      'd',
      '--trust',
      'a',
      '--trust',
      'b',
      '--json',
    ]);
    assert.deepEqual(positionals, ['x']);
    assert.equal(values.out, 'd');
    assert.deepEqual(values.trust, ['a', 'b']);
    assert.equal(values.json, true);
    assert.throws(() => command.parse(['--nope']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });
});

test('defineCommand: a switch on by default is turned off by its --no- row', () => {
  const command = defineCommand({
    usage: 'Usage: demo',
    about: 'Demo.',
    options: [
      { heading: 'Options', options: [{ usage: '--no-cache', does: 'Skip the cache', negates: true }] },
    ],
    allowNegative: true,
  });
  assert.equal(command.parse([]).values.cache, true);
  assert.equal(command.parse(['--no-cache']).values.cache, false);
  assert.match(command.help, /--no-cache {2}Skip the cache/);
});
