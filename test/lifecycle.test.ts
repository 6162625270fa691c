import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from 'undici';
import { spawnCli, spawnServe } from './helpers/cli-process.ts';
import { holdRequests } from './helpers/held-requests.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';
import { refusesConnections } from './helpers/port-probe.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const dataDir = () => tempDir('gatehouse-life-');

async function call(port: number, method: string, path: string, key: string, body?: unknown) {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: method as 'GET',
    headers: { host: 'localhost', authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

/** What became of a request: its status and body, or the code of the error it failed with. */
async function outcome(
  pending: ReturnType<typeof request>,
): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await pending;
    return { status: res.statusCode, body: await res.body.text() };
  } catch (error) {
    return { error: String((error as NodeJS.ErrnoException).code) };
  }
}

// Gatehouse processes started and stopped one after another: 25 s in all, more on a busy machine.
describe('the gatehouse process', LONG_SUITE, () => {
  test('first start prints an admin key once; a restart keeps routes and keys', async (t) => {
    const dir = dataDir();
    const up = await startUpstream((_req, res) => res.end('kept'));
    t.after(() => up.close());
    const first = await spawnServe(['--data', dir, '--log-level', 'warn']);
    t.after(() => first.stop());
    const key = /(gk_[A-Za-z0-9_-]{20,})/.exec(first.stderr())?.[1];
    assert.ok(key, 'the banner shows the new key');
    const route = await call(first.port, 'POST', '/api/v1/routes/', key, {
      host: 'keep.test',
      target: up.url,
    });
    assert.equal(route.status, 201);
    const made = await call(first.port, 'POST', '/api/v1/keys/', key, { name: 'second' });
    assert.equal(await first.stop(), 0);

    const second = await spawnServe(['--data', dir, '--log-level', 'warn']);
    t.after(() => second.stop());
    assert.doesNotMatch(second.stderr(), /gk_/, 'no new key on a later start');
    const proxied = await request(`http://127.0.0.1:${second.port}/`, { headers: { host: 'keep.test' } });
    assert.equal(await proxied.body.text(), 'kept');
    assert.equal((await call(second.port, 'GET', `/api/v1/routes/${route.body.id}`, key)).status, 200);
    assert.equal((await call(second.port, 'GET', '/api/v1/routes/', made.body.secret)).status, 200);
  });

  test('SIGTERM drains in-flight requests, then exits 0', async (t) => {
    const held = holdRequests((res) => res.end('finished'));
    const up = await startUpstream(held.handler);
    t.after(() => up.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: 'gk_k',
    });
    t.after(() => gh.stop('SIGKILL'));
    await call(gh.port, 'POST', '/api/v1/routes/', 'gk_k', { host: 'slow.test', target: up.url });
    const inFlight = outcome(request(`http://127.0.0.1:${gh.port}/`, { headers: { host: 'slow.test' } }));
    await held.arrived;
    const exit = gh.stop('SIGTERM');
    await waitFor('the gateway to stop accepting', () => refusesConnections(gh.port));
    // Shutdown has begun with the request still held upstream: it is answered only now.
    held.release();
    assert.deepEqual(await inFlight, { status: 200, body: 'finished' });
    assert.equal(await exit, 0);
  });

  test('the shutdown timeout cuts requests that outlive it', async (t) => {
    const held = holdRequests(() => {});
    const up = await startUpstream(held.handler);
    t.after(() => up.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn', '--shutdown-timeout', '300'], {
      GATEHOUSE_ADMIN_KEY: 'gk_k',
    });
    t.after(() => gh.stop('SIGKILL'));
    await call(gh.port, 'POST', '/api/v1/routes/', 'gk_k', { host: 'stuck.test', target: up.url });
    const inFlight = outcome(request(`http://127.0.0.1:${gh.port}/`, { headers: { host: 'stuck.test' } }));
    await held.arrived;
    const started = Date.now();
    assert.equal(await gh.stop('SIGTERM'), 0);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 300 && elapsed < 5000, `exited ${elapsed} ms after SIGTERM`);
    // Cut: the connection that carried the request was closed under it, not refused or answered.
    assert.deepEqual(await inFlight, { error: 'UND_ERR_SOCKET' });
  });

  test('access log: one JSON line per request, without query or secrets', async (t) => {
    const up = await startUpstream();
    t.after(() => up.close());
    const gh = await spawnServe(['--data', dataDir()], { GATEHOUSE_ADMIN_KEY: 'gk_logkey' });
    t.after(() => gh.stop());
    await call(gh.port, 'POST', '/api/v1/routes/', 'gk_logkey', { host: 'log.test', target: up.url });
    const res = await request(`http://127.0.0.1:${gh.port}/cb?code=SECRETCODE&state=xyz`, {
      headers: { host: 'log.test', authorization: 'Bearer TOPSECRET', cookie: 'sid=COOKIESECRET' },
    });
    await res.body.dump();
    // Access lines are buffered for at most 250 ms before they are written.
    await waitFor('the access line', () => gh.stdout().includes('"log.test"'), { timeoutMs: 2000 });
    const lines = gh
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l['msg'] === 'request' && l['host'] === 'log.test');
    assert.ok(line);
    assert.equal(line['method'], 'GET');
    assert.equal(line['path'], '/cb');
    assert.equal(line['status'], 200);
    assert.equal(typeof line['ms'], 'number');
    assert.equal(line['kind'], 'proxy');
    for (const secret of ['SECRETCODE', 'TOPSECRET', 'COOKIESECRET', 'gk_logkey']) {
      assert.ok(!gh.stdout().includes(secret), `${secret} is not logged`);
      assert.ok(!gh.stderr().includes(secret), `${secret} is not printed`);
    }
  });

  test('invalid configuration: exit code 2 and a message naming the key', async (t) => {
    const cli = spawnCli(['serve', '--port', '99999', '--data', dataDir()]);
    t.after(() => cli.stop());
    assert.equal(await new Promise((resolve) => cli.child.once('exit', resolve)), 2);
    assert.match(cli.stderr(), /port \(from --port\): .*65535/);
    const unknown = spawnCli(['serve', '--colour', 'red']);
    t.after(() => unknown.stop());
    assert.equal(await new Promise((resolve) => unknown.child.once('exit', resolve)), 2);
    assert.match(unknown.stderr(), /colour/);
  });

  test('--help and --version', async (t) => {
    const help = spawnCli(['serve', '--help']);
    t.after(() => help.stop());
    assert.equal(await new Promise((resolve) => help.child.once('exit', resolve)), 0);
    assert.match(help.stdout(), /--store redis:\/\//);
    const version = spawnCli(['--version']);
    t.after(() => version.stop());
    assert.equal(await new Promise((resolve) => version.child.once('exit', resolve)), 0);
    assert.match(version.stdout(), /^\d+\.\d+\.\d+\n$/);
  });
});
