import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from 'undici';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { holdRequests } from './helpers/held-requests.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';
import { refusesConnections } from './helpers/port-probe.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const ADMIN = 'gk_tunnel-cli-admin';
const dataDir = () => tempDir('gatehouse-tcli-');

/** The agent's JSON events so far. */
function events(agent: CliProcess): { event: string; [k: string]: unknown }[] {
  return agent
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function waitForEvent(agent: CliProcess, event: string, after = 0) {
  const output = () => `stdout:\n${agent.stdout()}\nstderr:\n${agent.stderr()}`;
  return waitFor(
    `a ${event} event`,
    () => {
      const found = events(agent)
        .slice(after)
        .find((e) => e.event === event);
      if (!found && agent.child.exitCode !== null) throw new Error(`the agent exited; ${output()}`);
      return found;
    },
    { timeoutMs: 20_000, detail: output },
  );
}

/** Starts `gatehouse tunnel` for `name` with its key, printing JSON events. */
function spawnAgent(localUrl: string, port: number, name: string, key: string): CliProcess {
  return spawnCli([
    'tunnel',
    localUrl,
    '--server',
    `http://127.0.0.1:${port}`,
    '--name',
    name,
    '--key',
    key,
    '--json',
    '--no-inspect',
  ]);
}

function exitCode(cli: CliProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (cli.child.exitCode !== null) resolve(cli.child.exitCode);
    else cli.child.once('exit', (code) => resolve(code));
  });
}

async function createTunnel(port: number, name: string): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}/api/v1/tunnels/`, {
    method: 'POST',
    headers: { host: 'localhost', authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.body.json()) as { key: string };
  assert.equal(res.statusCode, 201);
  return body.key;
}

// Gateway and agent processes started, killed and restarted, four times: 40 s in all, more on a
// busy machine.
describe('gatehouse tunnel (processes)', LONG_SUITE, () => {
  test('agent killed mid-request: 502 within a second, and the local server saw the request once', async (t) => {
    // The first request is held for good; any later one is answered.
    const local = await startUpstream((req, res) => (req.url === '/slow' ? undefined : res.end('ok')), {
      readBody: false,
    });
    t.after(() => local.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: ADMIN });
    t.after(() => gh.stop());
    const key = await createTunnel(gh.port, 'doomed');
    const agent = spawnAgent(local.url, gh.port, 'doomed', key);
    t.after(() => agent.stop());
    let successor: CliProcess | undefined;
    await waitForEvent(agent, 'online');
    const pending = request(`http://127.0.0.1:${gh.port}/slow`, { headers: { host: 'doomed.localhost' } });
    await waitFor('the request at the local server', () => local.seen.length === 1);
    const killedAt = Date.now();
    agent.child.kill('SIGKILL');
    const res = await pending;
    const elapsed = Date.now() - killedAt;
    assert.equal(res.statusCode, 502);
    assert.match(await res.body.text(), /not retried/);
    assert.ok(elapsed < 1000, `answered ${elapsed} ms after the agent died`);
    // A new agent for the name is where a re-sent request would go: once a request made after
    // it connected has come through, anything re-sent would have reached the local server first.
    successor = spawnAgent(local.url, gh.port, 'doomed', key);
    t.after(() => successor?.stop());
    await waitForEvent(successor, 'online');
    const after = await request(`http://127.0.0.1:${gh.port}/after`, {
      headers: { host: 'doomed.localhost' },
    });
    assert.equal(await after.body.text(), 'ok');
    assert.deepEqual(
      local.seen.map((r) => r.url),
      ['/slow', '/after'],
      'the request was never re-sent',
    );
  });

  test('server killed and restarted: the agent reconnects and the next request succeeds', async (t) => {
    const local = await startUpstream((_req, res) => res.end('alive'));
    t.after(() => local.close());
    const dir = dataDir();
    const first = await spawnServe(['--data', dir, '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: ADMIN });
    t.after(() => first.stop());
    const port = first.port;
    const key = await createTunnel(port, 'phoenix');
    const agent = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${port}`,
      '--name',
      'phoenix',
      '--key',
      key,
      '--json',
      '--no-inspect',
    ]);
    t.after(() => agent.stop());
    let second: (CliProcess & { port: number }) | undefined;
    await waitForEvent(agent, 'online');
    first.child.kill('SIGKILL');
    await exitCode(first);
    const offlineAt = events(agent).length;
    await waitForEvent(agent, 'offline', offlineAt - 1);
    second = await spawnServe(['--data', dir, '--log-level', 'warn', '--port', String(port)], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    t.after(() => second?.stop());
    await waitForEvent(agent, 'online', offlineAt);
    const res = await request(`http://127.0.0.1:${port}/`, { headers: { host: 'phoenix.localhost' } });
    assert.equal(await res.body.text(), 'alive');
  });

  test('exit codes and messages: bad key 4, unreachable 3 (at once when retrying cannot help), local refusing 5', async (t) => {
    const local = await startUpstream();
    t.after(() => local.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: ADMIN });
    t.after(() => gh.stop());
    const server = `http://127.0.0.1:${gh.port}`;
    await createTunnel(gh.port, 'guarded');
    const badKey = spawnCli([
      'tunnel',
      local.url,
      '--server',
      server,
      '--name',
      'guarded',
      '--key',
      'gt_wrong',
      '--no-inspect',
    ]);
    t.after(() => badKey.stop());
    assert.equal(await exitCode(badKey), 4);
    assert.match(badKey.stderr(), /refused the key for tunnel guarded/);

    const unreachable = spawnCli([
      'tunnel',
      local.url,
      '--server',
      'http://127.0.0.1:1',
      '--name',
      'x',
      '--key',
      'gt_x',
      '--retry-for',
      '1',
      '--no-inspect',
    ]);
    t.after(() => unreachable.stop());
    assert.equal(await exitCode(unreachable), 3);
    assert.match(unreachable.stderr(), /cannot reach http:\/\/127.0.0.1:1 /);

    const down = await startUpstream();
    const downUrl = down.url;
    await down.close();
    const refusing = spawnCli([
      'tunnel',
      downUrl,
      '--server',
      server,
      '--name',
      'guarded',
      '--key',
      'gt_x',
      '--no-inspect',
    ]);
    t.after(() => refusing.stop());
    assert.equal(await exitCode(refusing), 5);
    assert.match(refusing.stderr(), /nothing is listening at/);

    // Failures no retry can help end the run at once, whatever --retry-for says, saying what to do.
    const permanent: [server: string, message: RegExp][] = [
      [
        'http://nowhere.invalid:8080',
        /cannot reach http:\/\/nowhere\.invalid:8080: the name nowhere\.invalid does not exist \(DNS answered ENOTFOUND\)/,
      ],
      [
        `https://127.0.0.1:${gh.port}`,
        new RegExp(
          `the server at 127\\.0\\.0\\.1:${gh.port} speaks plain HTTP, not TLS: use http://127\\.0\\.0\\.1:${gh.port}`,
        ),
      ],
    ];
    for (const [to, message] of permanent) {
      const started = Date.now();
      const run = spawnCli([
        'tunnel',
        local.url,
        '--server',
        to,
        '--name',
        'x',
        '--key',
        'gt_x',
        '--retry-for',
        '300',
        '--no-inspect',
      ]);
      assert.equal(await exitCode(run), 3, run.stderr());
      assert.match(run.stderr(), message);
      assert.doesNotMatch(run.stderr(), /retrying|gave up after|OpenSSL|SSL routines/);
      assert.ok(Date.now() - started < 60_000, 'not retried for --retry-for');
    }
  });

  test('the inspector lists requests and replays one to the local server', async (t) => {
    const local = await startUpstream((req, res, body) =>
      res.end(
        `${req.method} ${req.url} ${body} ${req.headers['gatehouse-replay-of'] ? 'replayed' : 'original'}`,
      ),
    );
    t.after(() => local.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: ADMIN });
    t.after(() => gh.stop());
    const agent = spawnCli(
      [
        'tunnel',
        local.url,
        '--server',
        `http://127.0.0.1:${gh.port}`,
        '--name',
        'peek',
        '--json',
        '--inspect',
        '127.0.0.1:0',
      ],
      {
        GATEHOUSE_ADMIN_KEY: ADMIN,
      },
    );
    t.after(() => agent.stop());
    const online = await waitForEvent(agent, 'online');
    const inspector = String(online['inspector']);
    const headers = { authorization: `Bearer ${String(online['inspectorToken'])}` };
    const res = await request(`http://127.0.0.1:${gh.port}/orders?id=3`, {
      method: 'POST',
      headers: { host: 'peek.localhost' },
      body: 'qty=2',
    });
    assert.equal(await res.body.text(), 'POST /orders?id=3 qty=2 original');
    await waitForEvent(agent, 'request');
    const list = (await (await request(`${inspector}/api/requests`, { headers })).body.json()) as {
      requests: { id: string; path: string; status: number }[];
    };
    assert.equal(list.requests[0]?.path, '/orders?id=3');
    assert.equal(list.requests[0]?.status, 200);
    const id = list.requests[0]!.id;
    const detail = (await (await request(`${inspector}/api/requests/${id}`, { headers })).body.json()) as {
      requestBody: { text: string };
      responseBody: { text: string };
    };
    assert.equal(detail.requestBody.text, 'qty=2');
    assert.equal(detail.responseBody.text, 'POST /orders?id=3 qty=2 original');
    const replay = await request(`${inspector}/api/requests/${id}/replay`, { method: 'POST', headers });
    assert.equal(replay.statusCode, 201);
    const replayed = (await replay.body.json()) as { status: number; responseBody: { text: string } };
    assert.equal(replayed.responseBody.text, 'POST /orders?id=3 qty=2 replayed');
    assert.equal(local.seen.length, 2);
    const page = await request(`${inspector}/`);
    assert.match(await page.body.text(), /Gatehouse inspector/);
    assert.equal(
      (await request(`${inspector}/api/requests/nope/replay`, { method: 'POST', headers })).statusCode,
      404,
    );
  });
});

describe('heartbeats', () => {
  test('a frozen agent is found dead by the edge heartbeat and its requests fail fast', async (t) => {
    const local = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => local.close());
    const gh = await spawnServe(
      ['--data', dataDir(), '--log-level', 'warn', '--tunnel-heartbeat', '300', '--tunnel-offline-wait', '0'],
      {
        GATEHOUSE_ADMIN_KEY: ADMIN,
      },
    );
    t.after(() => gh.stop());
    const key = await createTunnel(gh.port, 'frozen');
    const agent = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${gh.port}`,
      '--name',
      'frozen',
      '--key',
      key,
      '--json',
      '--no-inspect',
    ]);
    // SIGKILL: a frozen process would hold a SIGTERM until it is continued.
    t.after(() => agent.stop('SIGKILL'));
    await waitForEvent(agent, 'online');
    const online = await request(`http://127.0.0.1:${gh.port}/`, { headers: { host: 'frozen.localhost' } });
    assert.equal(await online.body.text(), 'ok');
    agent.child.kill('SIGSTOP');
    // Two missed pings at 300 ms: the edge drops the connection within about a second.
    await waitFor(
      'the edge to find the agent dead',
      async () => {
        const view = await request(`http://127.0.0.1:${gh.port}/api/v1/tunnels/frozen`, {
          headers: { host: 'localhost', authorization: `Bearer ${ADMIN}` },
        });
        return ((await view.body.json()) as { online: boolean }).online === false;
      },
      { timeoutMs: 3000 },
    );
    const res = await request(`http://127.0.0.1:${gh.port}/`, {
      headers: { host: 'frozen.localhost', accept: 'application/json' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(((await res.body.json()) as { error: string }).error, 'TUNNEL_NOT_CONNECTED');
    agent.child.kill('SIGCONT');
  });
});

describe('shutdown with tunnels connected', () => {
  test('SIGTERM lets a request in flight through a tunnel finish, then exits 0', async (t) => {
    const held = holdRequests((res) => res.end('finished through the tunnel'));
    const local = await startUpstream(held.handler);
    t.after(() => local.close());
    const gh = await spawnServe(['--data', dataDir(), '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: ADMIN });
    t.after(() => gh.stop());
    const key = await createTunnel(gh.port, 'draining');
    const agent = spawnAgent(local.url, gh.port, 'draining', key);
    t.after(() => agent.stop());
    await waitForEvent(agent, 'online');
    const pending = request(`http://127.0.0.1:${gh.port}/`, { headers: { host: 'draining.localhost' } });
    await held.arrived;
    const exit = gh.stop('SIGTERM');
    await waitFor('the gateway to stop accepting', () => refusesConnections(gh.port));
    // Shutdown has begun with the request still held at the local server: it is answered only now.
    held.release();
    const res = await pending;
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'finished through the tunnel');
    assert.equal(await exit, 0);
  });
});
