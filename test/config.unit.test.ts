import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acmeDirectoryUrl, acmeEnabled } from '../src/config/acme-schema.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { listenersOf } from '../src/config/schema.ts';
import { ConfigError } from '../src/core/config-error.ts';

const files: Record<string, string> = {
  'good.yaml': 'port: 9000\ndomain: gw.example.com\ntls:\n  port: 9443\n',
  'bad-key.yaml': 'port: 9000\nprot: 1\n',
  'bad-nested.yaml': 'tls:\n  certificates:\n    - { hosts: ["ok.test"], cert: a.pem }\n',
  'not-yaml.yaml': 'port: [1,\n',
  'list.yaml': '- 1\n- 2\n',
  'good.json': '{"port": 7000}',
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};

describe('config loading', () => {
  test('defaults', () => {
    const c = loadConfig({ flags: {}, env: {} });
    assert.equal(c.port, 8080);
    assert.equal(c.data, './.gatehouse');
    assert.equal(c.domain, 'localhost');
    assert.equal(c.store, undefined);
  });

  test('flags beat environment beat file', () => {
    const fromFile = loadConfig({ flags: { config: 'good.yaml' }, env: {}, readFile });
    assert.equal(fromFile.port, 9000);
    assert.equal(fromFile.tls.port, 9443);
    const fromEnv = loadConfig({ flags: { config: 'good.yaml' }, env: { GATEHOUSE_PORT: '9100' }, readFile });
    assert.equal(fromEnv.port, 9100);
    assert.equal(fromEnv.domain, 'gw.example.com');
    const fromFlag = loadConfig({
      flags: { config: 'good.yaml', port: '9200' },
      env: { GATEHOUSE_PORT: '9100' },
      readFile,
    });
    assert.equal(fromFlag.port, 9200);
    assert.equal(loadConfig({ flags: { config: 'good.json' }, env: {}, readFile }).port, 7000);
  });

  test('the request log: on by default, off by flag or variable, its age and count', () => {
    const defaults = loadConfig({ flags: {}, env: {} }).requestLog;
    assert.deepEqual(defaults, { enabled: true, retention: 7 * 86_400_000, max: 100_000 });
    const cases: [Record<string, string>, Record<string, string>, Partial<typeof defaults>][] = [
      [{ 'request-log': 'off' }, {}, { enabled: false }],
      [{}, { GATEHOUSE_REQUEST_LOG: 'no' }, { enabled: false }],
      [{ 'request-log-retention': '30m' }, {}, { retention: 30 * 60_000 }],
      [{}, { GATEHOUSE_REQUEST_LOG_RETENTION: '12h' }, { retention: 12 * 3_600_000 }],
      [
        { 'request-log-retention': '2d', 'request-log-max': '5000' },
        {},
        { retention: 2 * 86_400_000, max: 5000 },
      ],
    ];
    for (const [flags, env, expected] of cases)
      assert.deepEqual(
        loadConfig({ flags, env }).requestLog,
        { ...defaults, ...expected },
        JSON.stringify(flags),
      );
  });

  test('ACME: on with an email or a directory; names resolve to URLs; the HTTPS listener starts with it', () => {
    const off = loadConfig({ flags: {}, env: {} });
    assert.equal(acmeEnabled(off.acme), false);
    assert.deepEqual(
      listenersOf(off).map((l) => l.name),
      ['http'],
    );
    const on = loadConfig({ flags: { 'acme-email': 'ops@example.com' }, env: {} });
    assert.equal(acmeEnabled(on.acme), true);
    assert.equal(acmeDirectoryUrl(on.acme), 'https://acme-v02.api.letsencrypt.org/directory');
    assert.deepEqual(
      listenersOf(on).map((l) => l.name),
      ['http', 'https'],
    );
    const staging = loadConfig({
      flags: { 'acme-directory': 'letsencrypt-staging', 'acme-hosts': 'a.example.com, b.example.com' },
      env: { GATEHOUSE_ACME_EAB_KID: 'kid', GATEHOUSE_ACME_EAB_HMAC_KEY: 'hmac' },
    });
    assert.equal(acmeDirectoryUrl(staging.acme), 'https://acme-staging-v02.api.letsencrypt.org/directory');
    assert.deepEqual(staging.acme.hosts, ['a.example.com', 'b.example.com']);
    assert.equal(staging.acme.eabHmacKey, 'hmac');
    const own = loadConfig({ flags: { 'acme-directory': 'https://ca.internal/acme/directory' }, env: {} });
    assert.equal(acmeDirectoryUrl(own.acme), 'https://ca.internal/acme/directory');
  });

  const bad: [
    name: string,
    flags: Record<string, string | boolean>,
    env: Record<string, string>,
    pattern: RegExp,
  ][] = [
    ['port out of range (flag)', { port: '70000' }, {}, /port \(from --port\)/],
    [
      'port not a number (env)',
      {},
      { GATEHOUSE_PORT: 'eighty' },
      /port \(from environment variable GATEHOUSE_PORT\)/,
    ],
    ['store not redis', { store: 'postgres://x' }, {}, /store \(from --store\): must be a redis/],
    ['domain with wildcard', { domain: '*.x.com' }, {}, /domain/],
    ['unknown log level', { 'log-level': 'loud' }, {}, /logLevel \(from --log-level\)/],
    ['bad boolean', {}, { GATEHOUSE_TRUST_PROXY: 'maybe' }, /GATEHOUSE_TRUST_PROXY: must be true or false/],
    ['cert without key', { 'tls-cert': 'c.pem' }, {}, /tls.*cert and key must be given together/],
    [
      'unknown key in file',
      { config: 'bad-key.yaml' },
      {},
      /prot \(from config file bad-key.yaml\): is not a known setting/,
    ],
    [
      'nested key missing in file',
      { config: 'bad-nested.yaml' },
      {},
      /tls\.certificates\.0\.key \(from config file bad-nested.yaml\)/,
    ],
    ['file is not YAML', { config: 'not-yaml.yaml' }, {}, /not valid YAML/],
    ['file is a list', { config: 'list.yaml' }, {}, /must hold a mapping/],
    ['file missing', { config: 'missing.yaml' }, {}, /cannot read config file missing.yaml/],
    [
      'unknown ACME directory name',
      { 'acme-directory': 'letsencrypt-prod' },
      {},
      /acme\.directory \(from --acme-directory\): must be letsencrypt or letsencrypt-staging, or the directory's https:\/\/ URL/,
    ],
    [
      'ACME email not an address',
      { 'acme-email': 'ops' },
      {},
      /acme\.email \(from --acme-email\): must be an email address/,
    ],
    [
      'EAB key id without its HMAC key',
      { 'acme-eab-kid': 'kid-1' },
      {},
      /acme\.eabHmacKey.*must be given together/,
    ],
    ['unknown challenge', { 'acme-challenge': 'dns-01' }, {}, /acme\.challenge \(from --acme-challenge\)/],
    [
      'request log retention not an age',
      { 'request-log-retention': 'a week' },
      {},
      /requestLog\.retention \(from --request-log-retention\): must be an age like 30m, 12h or 7d/,
    ],
    ['request log retention under a minute', { 'request-log-retention': '10s' }, {}, /must be at least 1m/],
    [
      'request log switch misspelt',
      { 'request-log': 'of' },
      {},
      /requestLog\.enabled \(from --request-log\)/,
    ],
    [
      'telemetry cert auto without a name',
      { 'telemetry-cert': 'auto', 'telemetry-port': '0', 'telemetry-ca': 'ca.pem' },
      {},
      /telemetry\.name.*required with cert: auto/,
    ],
  ];
  for (const [name, flags, env, pattern] of bad) {
    test(`refuses: ${name}`, () => {
      assert.throws(
        () => loadConfig({ flags, env, readFile }),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      );
    });
  }
});
