import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { isSecretParameter, redactSecrets, redactValue } from '../src/cli/redact-secrets.ts';
import { createTunnelOn, waitForEvent, waitForOutput } from './helpers/agent-process.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_agent-redaction-admin';
const CALLBACK = '/oauth/callback?code=C0DE-S3CRET&state=ST4TE-S3CRET&page=2';

describe('the redaction rule', () => {
  test('OAuth, token, key and signature parameters are secret; ordinary ones are not', () => {
    for (const name of [
      'code',
      'state',
      'token',
      'access_token',
      'id_token',
      'refresh_token',
      'client_secret',
      'password',
      'key',
      'api_key',
      'apiKey',
      'X-Amz-Signature',
      'code_verifier',
      'session_state',
      'access%5Ftoken',
    ])
      assert.ok(isSecretParameter(name), name);
    for (const name of ['page', 'id', 'q', 'redirect_uri', 'scope', 'limit'])
      assert.ok(!isSecretParameter(name), name);
  });

  test('values are replaced wherever a query appears, and the rest is kept', () => {
    assert.equal(
      redactSecrets(`GET ${CALLBACK} → 502`),
      'GET /oauth/callback?code=[redacted]&state=[redacted]&page=2 → 502',
    );
    assert.equal(
      redactSecrets('https://x.test/a?token=abc#token=frag'),
      'https://x.test/a?token=[redacted]#token=frag',
    );
    assert.deepEqual(redactValue({ path: '/a?password=hunter2', headers: { Authorization: 'Bearer x' } }), {
      path: '/a?password=[redacted]',
      headers: { Authorization: '[redacted]' },
    });
  });
});

describe('agent output carries no OAuth codes or states', () => {
  let local: Upstream;
  let gh: CliProcess & { port: number };
  before(async () => {
    local = await startUpstream((_req, res) => res.end('ok'));
    gh = await spawnServe(['--data', tempDir('gatehouse-redact-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
  });
  after(async () => {
    await gh.stop();
    await local.close();
  });

  const agentFor = (name: string, key: string, localUrl: string, extra: string[]) =>
    spawnCli([
      'tunnel',
      localUrl,
      '--server',
      `http://127.0.0.1:${gh.port}`,
      '--name',
      name,
      '--key',
      key,
      '--no-inspect',
      ...extra,
    ]);

  test('--json request events', async (t) => {
    const key = await createTunnelOn(gh.port, 'jsonred', ADMIN);
    const agent = agentFor('jsonred', key, local.url, ['--json']);
    t.after(() => agent.stop());
    await waitForEvent(agent, 'online');
    const res = await request(`http://127.0.0.1:${gh.port}${CALLBACK}`, {
      headers: { host: 'jsonred.localhost' },
    });
    assert.equal(await res.body.text(), 'ok');
    assert.equal(local.seen.at(-1)?.url, CALLBACK, 'the local server still gets the real query');
    const event = await waitForEvent(agent, 'request');
    assert.equal(event['path'], '/oauth/callback?code=[redacted]&state=[redacted]&page=2');
    assert.doesNotMatch(agent.stdout(), /S3CRET/);
  });

  test('status line error lines', async (t) => {
    const key = await createTunnelOn(gh.port, 'linered', ADMIN);
    const down = await startUpstream();
    await down.close();
    const agent = agentFor('linered', key, down.url, ['--no-local-check']);
    t.after(() => agent.stop());
    await waitForOutput(agent, 'stderr', /● online/);
    const res = await request(`http://127.0.0.1:${gh.port}${CALLBACK}`, {
      headers: { host: 'linered.localhost' },
    });
    assert.equal(res.statusCode, 502);
    await res.body.dump();
    await waitForOutput(
      agent,
      'stderr',
      /GET \/oauth\/callback\?code=\[redacted\]&state=\[redacted\]&page=2 → 502/,
    );
    assert.doesNotMatch(agent.stderr(), /S3CRET/);
  });
});
