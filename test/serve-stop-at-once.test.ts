import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';

test('SIGTERM as soon as the banner is out is a clean stop, not a kill', async (t) => {
  // A supervisor may stop what it started the moment it reports ready; the banner is that moment.
  for (let i = 0; i < 5; i++) {
    const gatehouse = await spawnServe(['--data', tempDir(), '--log-level', 'warn']);
    t.after(() => gatehouse.stop());
    assert.equal(await gatehouse.stop(), 0, `run ${i}: exit code 0, not killed by the signal`);
  }
});
