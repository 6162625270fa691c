import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { bulkHandler, digestOf, GIB, GIB_STEP, patternDigest, patternStream } from './helpers/bytes.ts';
import { type CliProcess, rssGrowthCheck, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const KEY = 'gk_tunnel-streaming';

describe('1 GiB through a tunnel, both ways, with bounded memory on both ends', LONG_SUITE, () => {
  let gh: CliProcess & { port: number };
  let agent: CliProcess;
  let local: Upstream;
  let dir: string;
  let digest: string;

  before(async () => {
    digest = patternDigest(GIB);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tstream-'));
    local = await startUpstream(bulkHandler(GIB), { readBody: false });
    gh = await spawnServe(['--data', dir, '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: KEY });
    agent = spawnCli(
      [
        'tunnel',
        local.url,
        '--server',
        `http://127.0.0.1:${gh.port}`,
        '--name',
        'bulk',
        '--json',
        '--no-inspect',
      ],
      {
        GATEHOUSE_ADMIN_KEY: KEY,
      },
    );
    await waitFor('the agent to be online', () => {
      if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
      return agent.stdout().includes('"event":"online"');
    });
    checkMemory = rssGrowthCheck([
      ['gateway', gh],
      ['agent', agent],
    ]);
  }, GIB_STEP);

  after(async () => {
    await agent?.stop();
    await gh?.stop();
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each end's peak RSS may grow only so far while 1 GiB goes each way.
  let checkMemory: () => void;

  test('upload: 1 GiB arrives intact', GIB_STEP, async () => {
    const res = await request(`http://127.0.0.1:${gh.port}/upload`, {
      method: 'POST',
      headers: { host: 'bulk.localhost', 'content-type': 'application/octet-stream' },
      body: patternStream(GIB),
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { bytes: GIB, sha256: digest });
    checkMemory();
  });

  test('download: 1 GiB arrives intact', GIB_STEP, async () => {
    const res = await request(`http://127.0.0.1:${gh.port}/download`, {
      headers: { host: 'bulk.localhost' },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await digestOf(res.body), { bytes: GIB, sha256: digest });
    checkMemory();
  });
});
