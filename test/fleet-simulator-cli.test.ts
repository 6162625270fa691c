import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { spawnCli } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const exitOf = (cli: ReturnType<typeof spawnCli>) =>
  new Promise<number | null>((resolve) => cli.child.once('exit', (code) => resolve(code)));

test('--print-ca makes the CA in the data dir once and prints the same PEM every run', async (t) => {
  const dir = tempDir('gatehouse-sim-cli-');
  const first = spawnCli(['fleet', 'simulate', '--data', dir, '--print-ca']);
  t.after(() => first.stop());
  assert.equal(await exitOf(first), 0, first.stderr());
  const pem = first.stdout();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  const cert = new X509Certificate(pem);
  assert.ok(cert.ca, 'a CA certificate');
  assert.equal(statSync(join(dir, 'vehicle-ca.key')).mode & 0o777, 0o600);

  const second = spawnCli(['fleet', 'simulate', '--data', dir, '--print-ca']);
  t.after(() => second.stop());
  assert.equal(await exitOf(second), 0, second.stderr());
  assert.equal(second.stdout(), pem);
});

test('the simulator prints what a newcomer needs, serves, and stops on SIGTERM', async (t) => {
  const dir = tempDir('gatehouse-sim-cli-');
  const cli = spawnCli(['fleet', 'simulate', '--port', '0', '--data', dir, '--log-level', 'silent']);
  t.after(() => cli.stop());
  const banner = await waitFor('the banner', () => (/Pair a domain/.test(cli.stderr()) ? cli.stderr() : ''), {
    detail: () => cli.stderr(),
  });
  const url = /simulator at (http:\/\/\S+)/.exec(banner)![1]!;
  assert.match(banner, /gatehouse-sim-client \/ gatehouse-sim-secret/);
  assert.match(banner, /driver@example\.com \/ tesla {2}region na/);
  assert.match(banner, /5YJ3E7EB2NF000001 .* online .* no key paired/);
  assert.match(banner, new RegExp(`${url}/oauth2/v3`));
  const state = await request(`${url}/sim/state`);
  assert.equal(state.statusCode, 200);
  const text = await state.body.text();
  assert.doesNotMatch(text, /gatehouse-sim-secret|"password"/, 'no secrets in the state');
  const vehicles = (JSON.parse(text) as { vehicles: { string_values: boolean }[] }).vehicles;
  assert.ok(vehicles.length > 0);
  assert.ok(
    vehicles.every((v) => v.string_values === false),
    'typed values by default, as Tesla sends',
  );
  assert.equal(await cli.stop('SIGTERM'), 0);
});

test('--string-values puts every vehicle, --vehicles ones too, on firmware that sends strings', async () => {
  const dir = tempDir('gatehouse-sim-cli-');
  const cli = spawnCli([
    'fleet',
    'simulate',
    '--port',
    '0',
    '--data',
    dir,
    '--log-level',
    'silent',
    '--vehicles',
    '2',
    '--string-values',
  ]);
  const banner = await waitFor('the banner', () => (/Pair a domain/.test(cli.stderr()) ? cli.stderr() : ''), {
    detail: () => cli.stderr(),
  });
  assert.match(banner, /5YJ3E7EB2NF000001 .* string values/);
  assert.match(banner, /\+ 2 fleet vehicles .* string values/);
  const url = /simulator at (http:\/\/\S+)/.exec(banner)![1]!;
  const state = (await (await request(`${url}/sim/state`)).body.json()) as {
    vehicles: { string_values: boolean }[];
  };
  assert.equal(state.vehicles.length, 5);
  assert.ok(state.vehicles.every((v) => v.string_values === true));
  assert.equal(await cli.stop('SIGTERM'), 0);
});

test('a seed file with a mistake is refused naming the field', async (t) => {
  const dir = tempDir('gatehouse-sim-cli-');
  const seed = join(dir, 'seed.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    seed,
    'apps:\n  - client_id: a\n    client_secret: b\naccounts:\n  - email: x@example.com\n    password: p\n    region: mars\n',
  );
  const cli = spawnCli(['fleet', 'simulate', '--port', '0', '--data', dir, '--seed', seed]);
  t.after(() => cli.stop());
  assert.equal(await exitOf(cli), 2);
  assert.match(cli.stderr(), /accounts\.0\.region/);
});

test("--issue-cert writes a server certificate from the simulator's CA that verifies for the host", async (t) => {
  const dir = tempDir('gatehouse-sim-cli-');
  const out = join(dir, 'certs');
  const issue = spawnCli([
    'fleet',
    'simulate',
    '--data',
    dir,
    '--issue-cert',
    'localhost,127.0.0.1',
    '--out',
    out,
  ]);
  t.after(() => issue.stop());
  assert.equal(await exitOf(issue), 0, issue.stderr());
  assert.match(issue.stderr(), /gatehouse serve --tls-cert .*localhost\.pem --tls-key .*localhost\.key/);
  const printed = spawnCli(['fleet', 'simulate', '--data', dir, '--print-ca']);
  t.after(() => printed.stop());
  assert.equal(await exitOf(printed), 0);
  const ca = new X509Certificate(printed.stdout());
  const cert = new X509Certificate(readFileSync(join(out, 'localhost.pem')));
  assert.ok(cert.verify(ca.publicKey), 'signed by the CA --print-ca shows');
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(statSync(join(out, 'localhost.key')).mode & 0o777, 0o600);
  const again = spawnCli(['fleet', 'simulate', '--data', dir, '--issue-cert', 'localhost', '--out', out]);
  t.after(() => again.stop());
  assert.equal(await exitOf(again), 2);
  assert.match(again.stderr(), /localhost\.pem exists already/);
});
