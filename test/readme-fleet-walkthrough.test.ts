import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchChromium } from './helpers/chromium.ts';
import { spawnServe } from './helpers/cli-process.ts';
import { docPage } from './helpers/doc-files.ts';
import { freePort } from './helpers/redis.ts';
import { shellBlocks } from './helpers/shell-blocks.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const GUIDE = docPage('docs/guides/tesla-fleet-kit.md');
const SECTION = 'The first ten minutes, no Tesla account';
const run = promisify(execFile);

// `npx gatehouse` as a newcomer types it, run from the sources in a directory of its own.
const dir = tempDir('gatehouse-fleet-readme-');
const bin = join(dir, 'bin');
mkdirSync(bin);
const entry = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
writeFileSync(
  join(bin, 'npx'),
  `#!/bin/sh\n[ "$1" = gatehouse ] || { echo "only npx gatehouse here" >&2; exit 127; }\nshift\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${entry}" "$@"\n`,
);
chmodSync(join(bin, 'npx'), 0o755);
const work = join(dir, 'work');
mkdirSync(work);
const env = {
  ...process.env,
  PATH: `${bin}:${process.env['PATH']}`,
  XDG_CACHE_HOME: join(dir, 'cache'),
  GATEHOUSE_LOG_LEVEL: 'warn',
};

const ports = {
  4400: await freePort(),
  4443: await freePort(),
  8080: await freePort(),
  8443: await freePort(),
};
/** The guide's ports become this test's free ones. */
const adapt = (script: string) =>
  Object.entries(ports).reduce(
    (text, [from, to]) => text.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to)),
    script,
  );
const runAsWritten = async (script: string) =>
  (await run('bash', ['-euo', 'pipefail', '-c', adapt(script)], { cwd: work, env })).stdout;

const running: ChildProcess[] = [];
after(() => {
  for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
});
/** Starts a long-running block (the simulator, the server) in its own process group. */
function start(script: string, ready: RegExp, portFlags: string): Promise<string> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', `${adapt(script).trimEnd()} ${portFlags}`], {
    cwd: work,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  return waitFor(
    `${script.split('\n').at(-2) ?? script} to start`,
    () => (ready.test(output) ? output : ''),
    {
      timeoutMs: 30_000,
      detail: () => output,
    },
  );
}

test('the Tesla Fleet walkthrough works as written, browser steps included', async (t) => {
  const [setup, simulate, serve, register, telemetry] = shellBlocks(GUIDE, SECTION);
  assert.ok(setup && simulate && serve && register && telemetry, 'five shell blocks');

  // A newcomer comes here from the README's walkthrough, whose `npm start` made ./.gatehouse and
  // printed its key then: the key this walkthrough asks for must be one its own serve prints.
  const earlier = await spawnServe(['--data', join(work, '.gatehouse'), '--log-level', 'warn']);
  assert.match(earlier.stderr(), /export GATEHOUSE_ADMIN_KEY=/);
  assert.equal(await earlier.stop(), 0);

  await runAsWritten(setup);
  assert.match(readFileSync(join(work, 'tesla/simulator-ca.pem'), 'utf8'), /BEGIN CERTIFICATE/);

  await start(simulate, /Tesla cloud simulator at/, `--port ${ports[4400]}`);
  const banner = await start(serve, /is running/, `--port ${ports[8080]} --tls-port ${ports[8443]}`);
  const adminKey = /export GATEHOUSE_ADMIN_KEY=(gk_\S+)/.exec(banner)?.[1];
  assert.ok(adminKey, banner);

  assert.match(register, /GATEHOUSE_ADMIN_KEY=gk_…/);
  const registered = await runAsWritten(
    register.replace('GATEHOUSE_ADMIN_KEY=gk_…', `GATEHOUSE_ADMIN_KEY=${adminKey}`),
  );
  assert.match(
    registered,
    /✓ https:\/\/localhost\/\.well-known\/appspecific\/com\.tesla\.3p\.public-key\.pem/,
  );
  assert.match(registered, /Registered localhost with Tesla in region na/);
  assert.match(registered, /✓ Tesla holds the same key for localhost/);
  assert.match(registered, /_ak\/localhost/);
  assert.match(registered, /"kind":"fleet-login"/);

  // The browser steps: log in on the simulator's pages, see the report, pair the key from it.
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://localhost:${ports[8080]}/tesla/login`);
  await page.fill('input[name="email"]', 'driver@example.com');
  await page.fill('input[name="password"]', 'tesla');
  await page.click('button[type="submit"]');
  await page.click('button[name="decision"][value="allow"]');
  await page.waitForURL(`http://localhost:${ports[8080]}/tesla/report`);
  assert.equal(await page.locator('section.vehicle').count(), 2);
  assert.equal(await page.locator('section.vehicle[data-state="online"]').count(), 1);
  await page.click('#pair-link');
  await page.waitForSelector('text=asks to add its virtual key');
  await page.click('button[type="submit"]');
  await page.waitForSelector('text=key added');

  // The same terminal as the block before: its exports still hold.
  const exports = register
    .split('\n')
    .filter((line) => /^(export |[A-Z]+=)/.test(line))
    .join('\n')
    .replace('GATEHOUSE_ADMIN_KEY=gk_…', `GATEHOUSE_ADMIN_KEY=${adminKey}`);
  const configured = await runAsWritten(`${exports}\n${telemetry}`);
  assert.match(configured, /5YJ3E7EB2NF000001 +yes/, 'status shows the paired key');
  assert.match(configured, /✓ localhost:\d+ serves a chain ca verifies/);
  assert.match(configured, /Updated 2 vehicles/);
  assert.match(configured, /5YJ3E7EB2NF000001: synced true, key paired true/);
  assert.match(configured, /VehicleSpeed every 1s/);
  assert.match(configured, /"vehicles":\[/, 'the admin API lists the fleet');

  // The dashboard the guide opens: the online vehicle streams to the receiver and shows up live.
  const dashboardUrl = /open (http:\/\/localhost:\d+\/fleet\/dashboard\?token=\S+)/.exec(
    adapt(telemetry),
  )?.[1];
  assert.ok(dashboardUrl, 'the guide says where the dashboard is');
  let stream = '';
  await waitFor(
    'the online vehicle streaming to the receiver',
    async () => {
      stream = await (
        await fetch(`http://127.0.0.1:${ports[4400]}/sim/vehicles/5YJ3E7EB2NF000001/stream`)
      ).text();
      return /"acked":[1-9]/.test(stream);
    },
    { timeoutMs: 30_000, intervalMs: 200, detail: () => stream },
  );
  await page.goto(dashboardUrl);
  const row = page.locator('tr[data-vin="5YJ3E7EB2NF000001"]');
  await row.locator('[data-status="CONNECTED"]').waitFor({ timeout: 30_000 });
  await waitFor(
    'a live speed and charge on the dashboard, and both charts drawing',
    async () => {
      const [speed, soc, speedValues, socValues] = await Promise.all([
        row.locator('[data-field="speed"]').textContent(),
        row.locator('[data-field="soc"]').textContent(),
        page.getAttribute('[data-chart="speed"]', 'data-values'),
        page.getAttribute('[data-chart="soc"]', 'data-values'),
      ]);
      return (
        /\d/.test(speed ?? '') && /\d/.test(soc ?? '') && Number(speedValues) > 0 && Number(socValues) > 0
      );
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
});
