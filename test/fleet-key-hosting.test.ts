import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkHostedKey, parseResolve, resolveEndpoint } from '../src/fleet/hosted-key.ts';
import { FLEET_PUBLIC_KEY_PATH, generateFleetKeyFiles } from '../src/fleet/keys.ts';
import { selfSigned } from './helpers/certs.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { tempDir } from './helpers/temp-dirs.ts';

describe('serving the fleet public key', () => {
  test("the public key is served at Tesla's path as application/x-pem-file, the private one never", async (t) => {
    const dir = tempDir();
    const { privateKeyPath, key } = generateFleetKeyFiles(dir);
    const gw = await startTestGateway({ flags: { 'fleet-key': privateKeyPath } });
    t.after(() => gw.stop());
    const res = await gw.send('localhost', FLEET_PUBLIC_KEY_PATH);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-pem-file');
    assert.equal(res.text, key.publicPem);
    assert.doesNotMatch(res.text, /PRIVATE/);
    const head = await gw.send('localhost', FLEET_PUBLIC_KEY_PATH, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    const post = await gw.send('localhost', FLEET_PUBLIC_KEY_PATH, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
    // Exactly the path: no prefix match, no trailing slash.
    assert.equal((await gw.send('localhost', `${FLEET_PUBLIC_KEY_PATH}/`)).status, 404);
  });

  test('--fleet-domain names the hosts that serve it; other hosts route as usual', async (t) => {
    const { privateKeyPath } = generateFleetKeyFiles(tempDir());
    const gw = await startTestGateway({
      flags: { 'fleet-key': privateKeyPath, 'fleet-domain': 'app.example.test, keys.example.test' },
    });
    t.after(() => gw.stop());
    assert.equal((await gw.send('app.example.test', FLEET_PUBLIC_KEY_PATH)).status, 200);
    assert.equal((await gw.send('keys.example.test', FLEET_PUBLIC_KEY_PATH)).status, 200);
    assert.equal((await gw.send('other.example.test', FLEET_PUBLIC_KEY_PATH)).status, 404);
  });

  test('TESLA_PRIVATE_KEY may hold the PEM itself, PUBLIC_KEY_PATH a public key alone', async (t) => {
    const { privateKeyPath, publicKeyPath, key } = generateFleetKeyFiles(tempDir());
    for (const env of [
      { TESLA_PRIVATE_KEY: readFileSync(privateKeyPath, 'utf8') },
      { PUBLIC_KEY_PATH: publicKeyPath },
    ]) {
      const gw = await startTestGateway({ env });
      t.after(() => gw.stop());
      const res = await gw.send('localhost', FLEET_PUBLIC_KEY_PATH);
      assert.equal(res.text, key.publicPem, Object.keys(env)[0]);
    }
  });

  test('checkHostedKey reads the key Gatehouse serves over HTTPS and knows a different local key', async (t) => {
    const dir = tempDir();
    const { privateKeyPath, key } = generateFleetKeyFiles(dir);
    const cert = selfSigned(dir, 'app', ['app.example.test']);
    const gw = await startTestGateway({
      flags: {
        'fleet-key': privateKeyPath,
        'fleet-domain': 'app.example.test',
        'tls-cert': cert.cert,
        'tls-key': cert.key,
        'tls-port': '0',
      },
    });
    t.after(() => gw.stop());
    const reach = {
      resolve: parseResolve([`app.example.test=127.0.0.1:${gw.gateway.httpsPort}`]),
      trust: [readFileSync(cert.cert, 'utf8')],
    };
    const good = await checkHostedKey('app.example.test', reach, key);
    assert.deepEqual(good.problems, []);
    assert.equal(good.key?.publicPem, key.publicPem);
    const other = generateFleetKeyFiles(join(dir, 'other')).key;
    const different = await checkHostedKey('app.example.test', reach, other);
    assert.deepEqual(
      different.problems.map((p) => p.code),
      ['different-key'],
    );
    const untrusted = await checkHostedKey('app.example.test', { resolve: reach.resolve });
    assert.deepEqual(
      untrusted.problems.map((p) => p.code),
      ['tls'],
    );
  });
});

describe('a bad fleet key stops the start with a message naming the file', () => {
  const dir = tempDir();
  const p384 = join(dir, 'p384.pem');
  execFileSync('openssl', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', p384], {
    stdio: 'ignore',
  });
  const notPem = join(dir, 'not-pem.pem');
  writeFileSync(notPem, 'hello\n');
  const unreadable = join(dir, 'unreadable.pem');
  writeFileSync(unreadable, 'x', { mode: 0o000 });
  const { publicKeyPath, privateKeyPath } = generateFleetKeyFiles(join(dir, 'good'));
  const privatePem = readFileSync(privateKeyPath, 'utf8');
  const cases: { name: string; flags: string[]; env?: Record<string, string>; says: RegExp }[] = [
    {
      name: 'a missing file',
      flags: ['--fleet-key', join(dir, 'nope.pem')],
      says: /nope\.pem does not exist/,
    },
    {
      name: 'a P-384 key',
      flags: ['--fleet-key', p384],
      says: /p384\.pem holds an EC key on secp384r1; Tesla accepts only EC prime256v1/,
    },
    { name: 'not PEM', flags: ['--fleet-key', notPem], says: /not-pem\.pem is not a PEM file/ },
    {
      name: 'a public key as --fleet-key',
      flags: ['--fleet-key', publicKeyPath],
      says: /public-key\.pem holds no private key/,
    },
    {
      name: 'TESLA_PRIVATE_KEY naming no file',
      flags: [],
      env: { TESLA_PRIVATE_KEY: join(dir, 'gone.pem') },
      says: /TESLA_PRIVATE_KEY names .*gone\.pem does not exist/,
    },
  ];
  if (process.getuid?.() !== 0) {
    cases.push({
      name: 'an unreadable file',
      flags: ['--fleet-key', unreadable],
      says: /unreadable\.pem is not readable/,
    });
  }
  for (const c of cases) {
    test(c.name, async (t) => {
      const cli = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data', tempDir(), ...c.flags], {
        GATEHOUSE_LOG_LEVEL: 'info',
        ...c.env,
      });
      t.after(() => cli.stop());
      const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
      assert.notEqual(code, 0);
      assert.match(cli.stderr(), c.says);
      assert.doesNotMatch(cli.stderr(), /is running/);
      // The private key's body never appears in output.
      const keyLine = privatePem.split('\n')[1] ?? '';
      assert.ok(!cli.stderr().includes(keyLine) && !cli.stdout().includes(keyLine));
    });
  }
});

describe('--resolve entries', () => {
  test('host=addr:port maps every port of the host, host:port=addr:port only that port', () => {
    const map = parseResolve(['app.example.test=127.0.0.1:8443', 'LOCALHOST:443=[::1]:9443']);
    assert.deepEqual(resolveEndpoint(map, 'app.example.test', 443), { address: '127.0.0.1', port: 8443 });
    assert.deepEqual(resolveEndpoint(map, 'App.Example.Test', 4443), { address: '127.0.0.1', port: 8443 });
    assert.deepEqual(resolveEndpoint(map, 'localhost', 443), { address: '::1', port: 9443 });
    assert.equal(
      resolveEndpoint(map, 'localhost', 4443),
      undefined,
      'another port of localhost is left alone',
    );
    for (const bad of ['app.example.test', 'app=127.0.0.1', 'app:x=1.2.3.4:5', '=1.2.3.4:5']) {
      assert.throws(() => parseResolve([bad]), /host:port=address:port/, bad);
    }
  });
});
