import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { spawnServe } from './helpers/cli-process.ts';
import { docPage, docPages } from './helpers/doc-files.ts';
import { shellBlocks } from './helpers/shell-blocks.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream } from './helpers/upstream.ts';

const README = docPage('README.md');
const SECTION = 'See a request flow';
/** Where the walkthrough's servers keep what they serve: a scratch folder, never the clone. */
const DEMO = '/tmp/gatehouse-demo';
const run = promisify(execFile);

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

  test('See a request flow: scratch folders served, the route id, pointing elsewhere, deleting', async () => {
    const walkthrough = shellBlocks(README, SECTION)[0] ?? '';
    assert.ok(walkthrough.includes(DEMO), `the walkthrough serves folders under ${DEMO}`);
    const servers = [...walkthrough.matchAll(/^python3 -m http\.server (\d+) --directory (\S+) &$/gm)].map(
      (m) => ({ port: m[1]!, dir: m[2]! }),
    );
    assert.equal(servers.length, 2, 'two servers, each told which folder to serve');
    for (const { dir } of servers) assert.ok(dir.startsWith(`${DEMO}/`), `${dir} is a scratch folder`);

    // The walkthrough's folders, made here by its own lines; each server is a stand-in for
    // `python3 -m http.server --directory` that serves the folder's index.html.
    const scratch = tempDir();
    const local = (dir: string) => dir.replace(DEMO, scratch);
    const upstreams = await Promise.all(
      servers.map(({ dir }) =>
        startUpstream((_req, res) => res.end(readFileSync(join(local(dir), 'index.html')))),
      ),
    );
    for (const upstream of upstreams) stops.push(() => upstream.close());
    const gatehouse = await spawnServe(['--data', tempDir(), '--log-level', 'warn']);
    stops.push(() => gatehouse.stop());

    // The README's first line is the one the banner prints; its servers are this test's.
    const exportLine = /^export GATEHOUSE_ADMIN_KEY=gk_….*$/m;
    assert.match(walkthrough, exportLine, 'the walkthrough starts from the line the banner prints');
    const script = walkthrough
      .replaceAll(DEMO, scratch)
      .replace(exportLine, bannerExport(gatehouse.stderr()))
      .replace(/^python3 -m http\.server .*&$/gm, '');
    const ports = Object.fromEntries(servers.map(({ port }, i) => [port, upstreams[i]!.port]));
    const out = await runAsWritten(script, { 8080: gatehouse.port, ...ports });

    const [first, second] = servers.map(({ dir }) =>
      readFileSync(join(local(dir), 'index.html'), 'utf8').trim(),
    );
    for (const text of [first!, second!])
      assert.match(walkthrough, new RegExp(`# ${text}$`, 'm'), 'the README says what comes back');
    const firstAt = out.indexOf(first!);
    const secondAt = out.indexOf(second!);
    const goneAt = out.indexOf('ROUTE_NOT_FOUND');
    assert.ok(firstAt !== -1 && firstAt < secondAt && secondAt < goneAt, `created, moved, deleted:\n${out}`);
  });

  test('Lost the printed key: a chosen key works, and revokes the lost one', async () => {
    const [restart, revoke] = shellBlocks(README, SECTION).slice(1);
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

  test('every gatehouse command shown, in the README and the docs, runs as npx gatehouse', () => {
    // The generated reference quotes each command's own usage lines, which name no way to run it.
    const written = docPages().filter(({ path }) => !path.startsWith('docs/reference/'));
    const commands = written.flatMap(({ path, text }) =>
      [...text.matchAll(/`([^`\n]+)`|^(.+)$/gm)]
        .map((m) => (m[1] ?? m[2])!.trim())
        .filter((line) =>
          /^gatehouse (serve|tunnels?|login|logout|dev-proxy|dev-idp|deliveries|help)\b\s+\S/.test(line),
        )
        .map((line) => `${path}: ${line}`),
    );
    assert.deepEqual(commands, [], 'inside the clone only `npx gatehouse …` finds the command');
  });
});
