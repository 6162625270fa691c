import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { bulkHandler, digestOf, GIB, GIB_STEP, patternDigest, patternStream } from './helpers/bytes.ts';
import { type CliProcess, rssGrowthCheck, spawnServe } from './helpers/cli-process.ts';
import { LONG_SUITE } from './helpers/long-suite.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const KEY = 'gk_streaming-test-key';

describe('1 GiB through the proxy, both ways, with bounded memory', LONG_SUITE, () => {
  let gh: CliProcess & { port: number };
  let up: Upstream;
  let dir: string;
  let digest: string;
  let checkMemory: () => void;

  before(async () => {
    digest = patternDigest(GIB);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-stream-'));
    up = await startUpstream(bulkHandler(GIB), { readBody: false });
    gh = await spawnServe(['--data', dir, '--log-level', 'warn'], { GATEHOUSE_ADMIN_KEY: KEY });
    const res = await request(`http://127.0.0.1:${gh.port}/api/v1/routes/`, {
      method: 'POST',
      headers: { host: 'localhost', authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: 'big.test', target: up.url }),
    });
    assert.equal(res.statusCode, 201);
    await res.body.dump();
    checkMemory = rssGrowthCheck([['gateway', gh]]);
  }, GIB_STEP);

  after(async () => {
    await gh?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('upload: 1 GiB arrives intact', GIB_STEP, async () => {
    const res = await request(`http://127.0.0.1:${gh.port}/upload`, {
      method: 'POST',
      headers: { host: 'big.test', 'content-type': 'application/octet-stream' },
      body: patternStream(GIB),
    });
    assert.equal(res.statusCode, 200);
    const result = (await res.body.json()) as { bytes: number; sha256: string };
    assert.equal(result.bytes, GIB);
    assert.equal(result.sha256, digest);
    checkMemory();
  });

  test('download: 1 GiB arrives intact', GIB_STEP, async () => {
    const res = await request(`http://127.0.0.1:${gh.port}/download`, { headers: { host: 'big.test' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(GIB));
    const { bytes, sha256 } = await digestOf(res.body);
    assert.equal(bytes, GIB);
    assert.equal(sha256, digest);
    checkMemory();
  });
});
