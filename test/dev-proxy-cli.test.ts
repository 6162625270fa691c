import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { request } from 'undici';
import { hmacHex, registrationMessage } from '../src/relay/signature.ts';
import { spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const ADMIN = 'gk_dev-proxy-admin';
const SECRET = 'dev-proxy-cli-shared-secret';
const RELAY_HOST = 'dev.api.example.test';

describe('gatehouse dev-proxy', () => {
  test('start --ci: tunnel, registration, GitHub env and output, relayed callback; SIGTERM unregisters', async (t) => {
    const dir = tempDir('gatehouse-devproxy-');
    const deployed = await startUpstream((req, res) => res.end(`deployed: ${req.url}`));
    t.after(() => deployed.close());
    const local = await startUpstream((req, res) =>
      res.end(`local API: ${req.url} for ${req.headers['x-relay-from']}`),
    );
    t.after(() => local.close());
    const gh = await spawnServe(['--data', dir, '--log-level', 'warn', '--relay'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
      GATEHOUSE_ENV: 'dev',
      DEV_PROXY_SHARED_SECRET: SECRET,
    });
    t.after(() => gh.stop());
    const route = await request(`http://127.0.0.1:${gh.port}/api/v1/routes/`, {
      method: 'POST',
      headers: { host: 'localhost', authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: RELAY_HOST, target: deployed.url, relay: {} }),
    });
    assert.equal(route.statusCode, 201);
    await route.body.dump();

    const githubEnv = join(dir, 'github-env');
    const githubOutput = join(dir, 'github-output');
    writeFileSync(githubEnv, '');
    writeFileSync(githubOutput, '');
    const cli = spawnCli(
      [
        'dev-proxy',
        'start',
        '--ci',
        '--relay',
        `http://${RELAY_HOST}`,
        '--relay-connect',
        `127.0.0.1:${gh.port}`,
        '--server',
        `http://127.0.0.1:${gh.port}`,
        '--port',
        String(local.port),
      ],
      {
        GATEHOUSE_ADMIN_KEY: ADMIN,
        DEV_PROXY_SHARED_SECRET: SECRET,
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_ENV: githubEnv,
        GITHUB_OUTPUT: githubOutput,
      },
    );
    t.after(() => cli.stop());
    const relayStatus = async () => {
      const res = await request(`http://127.0.0.1:${gh.port}/api/v1/dev-proxy/status`, {
        headers: { host: RELAY_HOST },
      });
      return ((await res.body.json()) as { registrations: { developer_id: string; target: string }[] })
        .registrations;
    };
    await waitFor(
      'the redirect URI on stdout',
      () => cli.stdout().includes('TESLA_REDIRECT_URI') || cli.child.exitCode !== null,
      { timeoutMs: 20_000 },
    );
    assert.equal(
      cli.stdout(),
      `export TESLA_REDIRECT_URI=http://${RELAY_HOST}/api/v1/tesla/oauth/callback\n`,
      cli.stderr(),
    );
    assert.deepEqual(await relayStatus().then((r) => r.map((x) => [x.developer_id, x.target])), [
      ['ci-4242-2', 'tunnel:dev-ci-4242-2'],
    ]);
    assert.equal(
      readFileSync(githubEnv, 'utf8'),
      `TESLA_REDIRECT_URI=http://${RELAY_HOST}/api/v1/tesla/oauth/callback\nDEV_PROXY_DEVELOPER=ci-4242-2\n`,
    );
    assert.match(readFileSync(githubOutput, 'utf8'), /^redirect_uri=.+\ndeveloper_id=ci-4242-2\n$/);

    // The app maps its state (the proposal's way), then the provider's callback arrives.
    const ts = Math.floor(Date.now() / 1000);
    const mapped = await request(`http://127.0.0.1:${gh.port}/api/v1/dev-proxy/states`, {
      method: 'POST',
      headers: { host: RELAY_HOST, 'content-type': 'application/json' },
      body: JSON.stringify({
        state: 's1',
        developer_id: 'ci-4242-2',
        timestamp: ts,
        hmac_signature: hmacHex(SECRET, registrationMessage('s1', 'ci-4242-2', ts)),
      }),
    });
    assert.equal(mapped.statusCode, 201);
    await mapped.body.dump();
    const callback = await request(
      `http://127.0.0.1:${gh.port}/api/v1/tesla/oauth/callback?code=x&state=s1`,
      { headers: { host: RELAY_HOST } },
    );
    assert.equal(
      await callback.body.text(),
      'local API: /api/v1/tesla/oauth/callback?code=x&state=s1 for ci-4242-2',
    );

    assert.equal(await cli.stop('SIGTERM'), 0);
    assert.match(cli.stderr(), /Unregistered ci-4242-2/);
    assert.deepEqual(await relayStatus(), []);
  });

  test('a wrong secret: exit 7 with the relay’s reason', async (t) => {
    const dir = tempDir('gatehouse-devproxy-');
    const gh = await spawnServe(['--data', dir, '--log-level', 'warn', '--relay'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
      GATEHOUSE_ENV: 'dev',
      DEV_PROXY_SHARED_SECRET: SECRET,
    });
    t.after(() => gh.stop());
    const deployed = await startUpstream();
    try {
      const route = await request(`http://127.0.0.1:${gh.port}/api/v1/routes/`, {
        method: 'POST',
        headers: { host: 'localhost', authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ host: RELAY_HOST, target: deployed.url, relay: {} }),
      });
      await route.body.dump();
      const cli = spawnCli(
        [
          'dev-proxy',
          'stop',
          '--relay',
          `http://${RELAY_HOST}`,
          '--relay-connect',
          `127.0.0.1:${gh.port}`,
          '--developer',
          'ysg',
        ],
        { DEV_PROXY_SHARED_SECRET: 'not-the-secret' },
      );
      assert.equal(await new Promise((resolve) => cli.child.once('exit', resolve)), 7);
      assert.match(
        cli.stderr(),
        /the relay refused to unregister \(403 Forbidden\): hmac_signature does not match/,
      );

      // https to the relay's plain-HTTP port is no refusal by the relay: it is named as what it is.
      const tls = spawnCli(
        [
          'dev-proxy',
          'start',
          '--relay',
          `https://127.0.0.1:${gh.port}`,
          '--tunnel-url',
          'https://dev-ysg.trycloudflare.com',
          '--developer',
          'ysg',
        ],
        { DEV_PROXY_SHARED_SECRET: 'not-the-secret' },
      );
      assert.equal(await new Promise((resolve) => tls.child.once('exit', resolve)), 3);
      assert.equal(
        tls.stderr(),
        `gatehouse dev-proxy: cannot reach the relay at https://127.0.0.1:${gh.port}: the server at ` +
          `127.0.0.1:${gh.port} speaks plain HTTP, not TLS: use http://127.0.0.1:${gh.port}\n`,
      );
    } finally {
      await gh.stop();
      await deployed.close();
    }
  });
});
