import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fleetWorld, runCli } from './helpers/fleet-world.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';

const VIN = '5YJ3E7EB2NF000001';

// Each step runs the CLI as a process of its own against the simulator: a minute or more in all.
describe('gatehouse fleet keys and partner, against the simulator', LONG_SUITE, () => {
  let world: Awaited<ReturnType<typeof fleetWorld>>;
  before(async () => {
    world = await fleetWorld();
  });
  after(() => world.stop());

  test('keys generate writes a 0600 private key, refuses to overwrite, says what comes next', async () => {
    const out = join(world.dir, 'new-key');
    const first = await runCli(['fleet', 'keys', 'generate', '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(statSync(join(out, 'private-key.pem')).mode & 0o777, 0o600);
    assert.match(first.stdout, /gatehouse serve --fleet-key .*private-key\.pem/);
    const again = await runCli(['fleet', 'keys', 'generate', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already; it is not overwritten/);
  });

  test('before registration Tesla answers 412, and the message says to register', async () => {
    const run = await world.run(['partner', 'status', '--vins', VIN]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not registered in this region: run 'gatehouse fleet partner register'/);
  });

  test('keys check passes for the hosted key and names a different one', async () => {
    const ok = await world.run([
      'keys',
      'check',
      '--domain',
      'localhost',
      ...world.reachFlags,
      '--fleet-key',
      world.key.privateKeyPath,
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /✓ .* serves an EC P-256 public key, the same as/);
    const other = join(world.dir, 'other');
    await runCli(['fleet', 'keys', 'generate', '--out', other]);
    const differs = await world.run([
      'keys',
      'check',
      '--domain',
      'localhost',
      ...world.reachFlags,
      '--fleet-key',
      join(other, 'private-key.pem'),
    ]);
    assert.equal(differs.code, 1);
    assert.match(differs.stdout, /serves a different key than the local one/);
  });

  test('keys check names what Tesla would object to', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const cases: [string, string, RegExp][] = [
      ['a private key', readFileSync(world.key.privateKeyPath, 'utf8'), /serves a PRIVATE key/],
      ['not PEM', '<html>hello</html>', /does not serve a PEM public key/],
      [
        'wrong curve',
        p384.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        /Tesla accepts only EC prime256v1/,
      ],
    ];
    try {
      for (const [name, text, says] of cases) {
        world.host(text);
        const run = await world.run(['keys', 'check', '--domain', 'localhost', ...world.reachFlags]);
        assert.equal(run.code, 1, name);
        assert.match(run.stdout, says, name);
      }
      const untrusted = await world.run([
        'keys',
        'check',
        '--domain',
        'localhost',
        '--resolve',
        world.reachFlags[1]!,
      ]);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stdout, /not served over trusted HTTPS/);
    } finally {
      world.host(readFileSync(world.key.publicKeyPath, 'utf8'));
    }
  });

  test('register refuses before calling Tesla when the hosted key is not the local one', async () => {
    const other = join(world.dir, 'other-register');
    await runCli(['fleet', 'keys', 'generate', '--out', other]);
    const run = await world.run([
      'partner',
      'register',
      '--domain',
      'localhost',
      ...world.reachFlags,
      '--fleet-key',
      join(other, 'private-key.pem'),
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not registering localhost: Tesla would refuse its key/);
    assert.deepEqual((await world.state()).partner_accounts, []);
  });

  test('register, then verify and status', async () => {
    const register = await world.run([
      'partner',
      'register',
      '--domain',
      'localhost',
      ...world.reachFlags,
      '--fleet-key',
      world.key.privateKeyPath,
    ]);
    assert.equal(register.code, 0, register.stderr);
    const point = world.key.key.publicPoint;
    assert.match(register.stdout, new RegExp(`public key +${Buffer.from(point).toString('hex')}`));
    assert.match(register.stdout, /public key hash +\S+/);
    assert.match(register.stdout, /\/_ak\/localhost/);
    assert.equal((await world.state()).partner_accounts[0]?.domain, 'localhost');

    const verify = await world.run([
      'partner',
      'verify',
      '--domain',
      'localhost',
      '--fleet-key',
      world.key.publicKeyPath,
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /Tesla holds the same key for localhost/);
    const other = join(world.dir, 'other-verify');
    await runCli(['fleet', 'keys', 'generate', '--out', other]);
    const differs = await world.run([
      'partner',
      'verify',
      '--domain',
      'localhost',
      '--fleet-key',
      join(other, 'private-key.pem'),
    ]);
    assert.equal(differs.code, 1);
    assert.match(differs.stderr, /Tesla holds a different key for localhost/);
    const noKey = await world.run(['partner', 'verify', '--domain', 'localhost']);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no fleet key: pass --fleet-key FILE or set TESLA_PRIVATE_KEY/);

    await world.pair(VIN);
    const status = await world.run([
      'partner',
      'status',
      '--vins',
      `${VIN},7SAYGDEE1PF000002`,
      '--domain',
      'localhost',
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /VIN +KEY PAIRED +FIRMWARE +TELEMETRY/);
    assert.match(status.stdout, new RegExp(`${VIN} +yes +2024\\.26\\.5`));
    assert.match(status.stdout, /7SAYGDEE1PF000002 +no +2024\.32\.7/);
    assert.match(status.stdout, /\/_ak\/localhost/);
    const json = await world.run(['partner', 'status', '--vins', VIN, '--json']);
    assert.deepEqual(JSON.parse(json.stdout).key_paired_vins, [VIN]);
  });

  test('the partner token is cached across runs, in a 0600 file; --no-cache gets a new one', async () => {
    const cache = join(world.dir, 'token-cache');
    const first = await world.run(['partner', 'token', '--json'], { XDG_CACHE_HOME: cache });
    const second = await world.run(['partner', 'token', '--json'], { XDG_CACHE_HOME: cache });
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    assert.equal(a.cached, false);
    assert.equal(b.cached, true);
    assert.equal(b.access_token, a.access_token, 'the second run made no token call');
    const fresh = JSON.parse(
      (await world.run(['partner', 'token', '--json', '--no-cache'], { XDG_CACHE_HOME: cache })).stdout,
    );
    assert.equal(fresh.cached, false);
    assert.notEqual(fresh.access_token, a.access_token);
    const plain = await world.run(['partner', 'token'], { XDG_CACHE_HOME: cache });
    assert.equal(plain.stdout.trim(), fresh.access_token);
    const files = readdirSync(join(cache, 'gatehouse'));
    assert.equal(files.length, 1);
    assert.equal(statSync(join(cache, 'gatehouse', files[0]!)).mode & 0o777, 0o600);
  });

  test('Tesla errors are explained: 401 bad token, 403 missing scope, 421 other region, bad client', async () => {
    const bad = await world.run(['partner', 'status', '--vins', VIN], { TESLA_ACCESS_TOKEN: 'not-a-token' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /access token has expired or is not valid/);
    const narrow = await world.run(['telemetry-config', 'get', VIN, '--no-cache'], {
      TESLA_PARTNER_SCOPES: 'openid',
      XDG_CACHE_HOME: join(world.dir, 'narrow'),
    });
    assert.equal(narrow.code, 1);
    assert.match(narrow.stderr, /lacks a scope this call needs/);
    const elsewhere = await world.run(['telemetry-config', 'get', 'LRW3E7EK4PC000003']);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /another region: use .*\/eu/);
    const client = await world.run(['partner', 'token', '--no-cache'], { TESLA_CLIENT_SECRET: 'wrong' });
    assert.equal(client.code, 1);
    assert.match(client.stderr, /does not accept the client id and secret/);
    assert.doesNotMatch(client.stderr, /wrong/);
  });

  test('usage errors exit 2 and say where the options are', async () => {
    for (const args of [
      ['partner', 'register'],
      ['partner', 'status'],
      ['partner', 'status', '--vins', 'NOT-A-VIN'],
      ['partner', 'token', '--region', 'mars'],
      ['partner', 'token', '--bogus'],
      ['keys', 'check', '--domain', 'https://x.example/'],
    ]) {
      const run = await world.run(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^gatehouse fleet /);
    }
  });

  test('pair-link prints the simulator link without a TTY, and JSON', async () => {
    const plain = await world.run(['pair-link', '--domain', 'localhost']);
    assert.equal(plain.stdout, `${world.sim.url}/_ak/localhost\n`);
    const tesla = await world.run(['pair-link', '--domain', 'app.example.com', '--json'], {
      TESLA_SIMULATOR: '',
    });
    assert.deepEqual(JSON.parse(tesla.stdout), { url: 'https://tesla.com/_ak/app.example.com' });
  });
});
