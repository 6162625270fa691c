import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream } from './helpers/upstream.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const run = promisify(execFile);

/** The shell blocks of one README section, in order. */
function shellBlocks(heading: string): string[] {
  const start = README.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has a section "${heading}"`);
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Runs README commands as written, on the ports this test's servers got instead of the README's. */
async function runAsWritten(script: string, ports: Record<string, number>, env: Record<string, string> = {}) {
  let adapted = script;
  for (const [from, to] of Object.entries(ports)) adapted = adapted.replaceAll(`:${from}`, `:${to}`);
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', adapted], {
    env: { ...process.env, ...env },
  });
  return stdout;
}

function bannerExport(stderr: string): string {
  const line = /^ +e\.g\. (export GATEHOUSE_ADMIN_KEY=gk_\S+)$/m.exec(stderr)?.[1];
  assert.ok(line, `the first start prints the export line:\n${stderr}`);
  return line;
}

async function status(port: number, key: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}/api/v1/routes/`, {
    headers: { host: 'localhost', authorization: `Bearer ${key}` },
  });
  await res.body.dump();
  return res.statusCode;
}

describe('the README, followed as written', () => {
  const stops: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  test('See a request flow: the banner line, the route id, pointing elsewhere, deleting', async () => {
    const [walkthrough] = shellBlocks('See a request flow');
    const first = await startUpstream((_req, res) => res.end('first upstream\n'));
    const second = await startUpstream((_req, res) => res.end('second upstream\n'));
    stops.push(
      () => first.close(),
      () => second.close(),
    );
    const gatehouse = await spawnServe(['--data', tempDir(), '--log-level', 'warn']);
    stops.push(() => gatehouse.stop());

    // The README's first line is the one the banner prints; its servers are this test's.
    const exportLine = /^export GATEHOUSE_ADMIN_KEY=gk_….*$/m;
    assert.match(walkthrough!, exportLine, 'the walkthrough starts from the line the banner prints');
    const script = walkthrough!
      .replace(exportLine, bannerExport(gatehouse.stderr()))
      .replace(/^python3 -m http\.server .*&$/gm, '');
    const out = await runAsWritten(script, { 8080: gatehouse.port, 3000: first.port, 3001: second.port });

    const firstAt = out.indexOf('first upstream');
    const secondAt = out.indexOf('second upstream');
    const goneAt = out.indexOf('ROUTE_NOT_FOUND');
    assert.ok(firstAt !== -1 && firstAt < secondAt && secondAt < goneAt, `created, moved, deleted:\n${out}`);
  });

  test('Lost the printed key: a chosen key works, and revokes the lost one', async () => {
    const [restart, revoke] = shellBlocks('See a request flow').slice(1);
    assert.ok(restart && revoke, 'the README says what to do when the printed key is lost');
    assert.match(restart, /^export GATEHOUSE_ADMIN_KEY=/m);
    const data = tempDir();
    const firstStart = await spawnServe(['--data', data, '--log-level', 'warn']);
    const lost = bannerExport(firstStart.stderr()).split('=')[1]!;
    assert.equal(await firstStart.stop(), 0);

    const chosen = 'gk_chosen-after-losing-the-first-0123456789';
    const restarted = await spawnServe(['--data', data, '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: chosen,
    });
    stops.push(() => restarted.stop());
    assert.equal(await status(restarted.port, lost), 200, 'the lost key still works until revoked');
    await runAsWritten(revoke, { 8080: restarted.port }, { GATEHOUSE_ADMIN_KEY: chosen });
    assert.equal(await status(restarted.port, lost), 401, 'the lost key is revoked');
    assert.equal(await status(restarted.port, chosen), 200, 'the chosen key works');
  });

  test('every gatehouse command shown runs as npx gatehouse', () => {
    const commands = [...README.matchAll(/`([^`\n]+)`|^(.+)$/gm)]
      .map((m) => (m[1] ?? m[2])!.trim())
      .filter((text) => /^gatehouse (serve|tunnel|login|logout|dev-proxy|deliveries|help)\b\s+\S/.test(text));
    assert.deepEqual(commands, [], 'inside the clone only `npx gatehouse …` finds the command');
  });
});
