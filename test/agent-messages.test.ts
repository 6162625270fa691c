import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, type TestContext, test } from 'node:test';
import { request } from 'undici';
import { type FatalReason, TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnelOn, exitCode, waitForOutput } from './helpers/agent-process.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_agent-messages-admin';

/** How often `text` occurs in `haystack`. */
function occurrences(haystack: string, text: string): number {
  return haystack.split(text).length - 1;
}

/** The closing `gatehouse tunnel: …` line. */
function fatalLine(cli: CliProcess): string {
  return (
    cli
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('gatehouse tunnel:')) ?? ''
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('what gatehouse tunnel says when it cannot go on', () => {
  let gh: CliProcess & { port: number };
  let server: string;
  let local: Upstream;
  before(async () => {
    local = await startUpstream((_req, res) => res.end('ok'));
    gh = await spawnServe(['--data', tempDir('gatehouse-msg-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    server = `http://127.0.0.1:${gh.port}`;
  });
  after(async () => {
    await gh.stop();
    await local.close();
  });

  test('an unknown tunnel is named once, with the server and what to do', async (t) => {
    const cli = spawnCli([
      'tunnel',
      local.url,
      '--server',
      server,
      '--name',
      'nosuch',
      '--key',
      'gt_x',
      '--no-inspect',
    ]);
    t.after(() => cli.stop());
    assert.equal(await exitCode(cli), 4);
    const err = fatalLine(cli);
    assert.match(err, new RegExp(`${server} has no tunnel named nosuch`));
    assert.equal(occurrences(err, 'no tunnel named nosuch'), 1, err);
    assert.match(err, /--admin-key/);
  });

  test('a refused key names the server and the way to a new key, once', async (t) => {
    await createTunnelOn(gh.port, 'guarded', ADMIN);
    const cli = spawnCli([
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
    t.after(() => cli.stop());
    assert.equal(await exitCode(cli), 4);
    const err = fatalLine(cli);
    assert.match(err, new RegExp(`${server} refused the key for tunnel guarded`));
    assert.equal(occurrences(err, 'guarded'), 2, err); // the name, and in the rotate-key command
    assert.match(err, /rotate-key/);
  });

  test('the same command run again reuses its tunnel with a new key; the earlier run stops, saying why', async () => {
    await createTunnelOn(gh.port, 'mine', ADMIN);
    const run = () =>
      spawnCli(['tunnel', local.url, '--server', server, '--name', 'mine', '--no-inspect'], {
        GATEHOUSE_ADMIN_KEY: ADMIN,
      });
    const first = run();
    try {
      const [, key] = await waitForOutput(first, 'stderr', /Reusing tunnel mine with a new key .*: (gt_\S+)/);
      await waitForOutput(first, 'stderr', /● online/);
      const second = run();
      try {
        const [, next] = await waitForOutput(
          second,
          'stderr',
          /Reusing tunnel mine with a new key .*: (gt_\S+)/,
        );
        assert.notEqual(next, key);
        await waitForOutput(second, 'stderr', /● online/);
        // The first run's key is the old one now: refused when it reconnects, it stops.
        assert.equal(await exitCode(first), 4);
        assert.match(fatalLine(first), /refused the key for tunnel mine/);
        assert.equal(second.child.exitCode, null, 'the second run stays up');
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });

  test('an unreachable server: given up after --retry-for, naming the URL and the time waited', async (t) => {
    const port = await closedPort();
    const cli = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${port}`,
      '--name',
      'x',
      '--key',
      'gt_x',
      '--retry-for',
      '2',
      '--no-inspect',
    ]);
    t.after(() => cli.stop());
    assert.equal(await exitCode(cli), 3);
    const fatal =
      cli
        .stderr()
        .split('\n')
        .find((l) => l.startsWith('gatehouse tunnel:')) ?? '';
    assert.match(fatal, new RegExp(`cannot reach http://127.0.0.1:${port} \\(connect ECONNREFUSED`));
    assert.equal(occurrences(fatal, 'reach'), 1, fatal);
    const waited = Number(/gave up after ([\d.]+) s/.exec(fatal)?.[1]);
    assert.ok(waited >= 2 && waited < 3, `said it waited ${waited} s: ${fatal}`);
    assert.match(fatal, /--retry-for 2/);
  });
});

describe('giving up', () => {
  test('the agent gives up when the retry time ends, not a backoff step later', async () => {
    const port = await closedPort();
    const agent = new TunnelAgent({
      server: new URL(`http://127.0.0.1:${port}`),
      name: 'x',
      key: 'gt_x',
      local: { url: new URL('http://127.0.0.1:9'), preserveHost: false, captureBytes: 0 },
      version: 'test',
      retryForMs: 1000,
      // Every step is 1.5–3 s: one whole step would overshoot the 1 s by half a second at least.
      backoffBaseMs: 3000,
      backoffCapMs: 3000,
    });
    const started = Date.now();
    agent.start();
    const [reason] = (await once(agent, 'fatal')) as [FatalReason];
    const elapsed = Date.now() - started;
    assert.equal(reason.kind, 'unreachable');
    assert.ok(elapsed >= 1000 && elapsed < 1450, `gave up after ${elapsed} ms`);
    assert.match(
      reason.message,
      new RegExp(`^cannot reach http://127.0.0.1:${port} .*; gave up after 1\\.\\d s$`),
    );
  });
});

describe('the status line off a terminal', () => {
  test('request counters move on in the printed lines', async (t) => {
    const local = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => local.close());
    const gh = await spawnServe(['--data', tempDir('gatehouse-msg-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    t.after(() => gh.stop());
    const key = await createTunnelOn(gh.port, 'counted', ADMIN);
    const agent = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${gh.port}`,
      '--name',
      'counted',
      '--key',
      key,
      '--no-inspect',
    ]);
    t.after(() => agent.stop());
    await waitForOutput(agent, 'stderr', /● online .* 0 requests/);
    for (let i = 0; i < 2; i++) {
      const res = await request(`http://127.0.0.1:${gh.port}/`, { headers: { host: 'counted.localhost' } });
      assert.equal(await res.body.text(), 'ok');
    }
    await waitForOutput(agent, 'stderr', /● online .* 2 requests {2}in \d+ B {2}out 4 B/);
  });
});

describe('bad inspector and CA options', () => {
  let local: Upstream;
  before(async () => {
    local = await startUpstream();
  });
  after(() => local.close());
  // Each run ends with its test, even one that hangs (the hook runs on a timeout too).
  const run = (t: TestContext, ...extra: string[]) => {
    const cli = spawnCli([
      'tunnel',
      local.url,
      '--server',
      'http://127.0.0.1:9',
      '--name',
      'x',
      '--key',
      'gt_x',
      ...extra,
    ]);
    t.after(() => cli.stop('SIGKILL'));
    return cli;
  };

  test('an --inspect that is no address is a usage error, not a crash', async (t) => {
    const cli = run(t, '--inspect', 'localhost:abc');
    assert.equal(await exitCode(cli), 2);
    assert.match(
      fatalLine(cli),
      /--inspect must be HOST:PORT or PORT, e.g. 127.0.0.1:4040, not "localhost:abc"/,
    );
  });

  test('an --inspect address that cannot be had says so and what to do', async (t) => {
    // TEST-NET-3: an address no interface of this machine has.
    const cli = run(t, '--inspect', '203.0.113.7:4040');
    assert.equal(await exitCode(cli), 2);
    assert.match(
      fatalLine(cli),
      /the inspector cannot listen at 203.0.113.7:4040 \(.*EADDRNOTAVAIL.*\); .*--no-inspect/,
    );
  });

  test('an unreadable --ca ends the command, with the inspector on', async (t) => {
    const cli = run(t, '--inspect', '127.0.0.1:0', '--ca', '/nonexistent/ca.pem');
    assert.equal(await exitCode(cli), 2);
    assert.match(fatalLine(cli), /cannot read --ca \/nonexistent\/ca.pem/);
  });
});
