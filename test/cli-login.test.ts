import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnCli } from './helpers/cli-process.ts';
import { firstForm, formFields } from './helpers/html-forms.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import { type LoginWorld, startLoginWorld } from './helpers/login-world.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

/** Approves a device login in a browser: the code page, the login through GitHub as `person`. */
async function approve(world: LoginWorld, url: string, person: string): Promise<string> {
  world.github.currentUser = person;
  world.github.autoApprove = true;
  const browser = new HttpBrowser();
  let page = await browser.navigate(url);
  // oidc-provider's form carrying the code from the link, then its confirmation form.
  const carried = firstForm(page.text);
  page = await browser.navigate(new URL(carried.action, page.url), {
    method: 'POST',
    body: new URLSearchParams(carried.fields).toString(),
  });
  const confirm = formFields(page.text, 'op.deviceConfirmForm');
  page = await browser.navigate(new URL(confirm.action, page.url), {
    method: 'POST',
    body: new URLSearchParams(confirm.fields).toString(),
  });
  const link = /href="([^"]*\/start\/github)"/.exec(page.text)?.[1];
  assert.ok(link, `the login page offers GitHub: ${page.text.slice(0, 300)}`);
  page = await browser.navigate(new URL(link.replaceAll('&amp;', '&'), page.url));
  return page.text;
}

describe('gatehouse login, then gatehouse tunnel with no key', () => {
  let world: LoginWorld;
  let local: Upstream;
  let config: string;
  before(async () => {
    world = await startLoginWorld({ 'auth-host': '127.0.0.1' });
    local = await startUpstream();
    config = await mkdtemp(join(tmpdir(), 'gatehouse-login-'));
  });
  after(async () => {
    await world.stop();
    await local.close();
    await rm(config, { recursive: true, force: true });
  });

  test('the device flow saves a token; the tunnel connects as the person, to their own tunnel', async (t) => {
    const env = { XDG_CONFIG_HOME: config };
    const login = spawnCli(['login', '--server', world.issuer], env);
    t.after(() => login.stop());
    const url = await waitFor('the verification link', () => /^ {2}(http\S+)$/m.exec(login.stdout())?.[1], {
      detail: () => login.stdout() + login.stderr(),
    });
    assert.match(login.stdout(), /check that it shows the code [A-Z]{4}-[A-Z]{4}/);
    assert.match(await approve(world, url, 'bob'), /connected/i);
    await waitFor('the login to finish', () => login.child.exitCode !== null, { detail: login.stderr });
    assert.equal(login.child.exitCode, 0, login.stderr());
    assert.match(login.stdout(), /Logged in to http:\/\/127\.0\.0\.1:\d+ as github:bob/);
    const file = join(config, 'gatehouse', 'logins.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'))[world.issuer];
    assert.equal(saved.login, 'github:bob');
    assert.ok(saved.refreshToken);

    // Without --json, the status line names the tunnel the server chose, as it names any other.
    const plain = spawnCli(['tunnel', local.url, '--server', world.issuer, '--no-inspect'], env);
    try {
      const line = await waitFor('the status line online', () => /● online .*/.exec(plain.stderr())?.[0], {
        detail: () => plain.stdout() + plain.stderr(),
      });
      assert.match(line, /● online +http:\/\/[a-z0-9-]+\.[^ ]+ → http:\/\/127\.0\.0\.1:\d+ /);
      assert.doesNotMatch(plain.stderr(), /undefined/);
      assert.match(plain.stderr(), /Connecting as github:bob \(gatehouse login\)/);
    } finally {
      await plain.stop();
    }

    const tunnel = spawnCli(['tunnel', local.url, '--server', world.issuer, '--no-inspect', '--json'], env);
    try {
      const online = await waitFor(
        'the tunnel online',
        () =>
          tunnel
            .stdout()
            .split('\n')
            .find((l) => l.includes('"event":"online"')),
        { detail: () => tunnel.stdout() + tunnel.stderr() },
      );
      const publicUrl = new URL(JSON.parse(online).url);
      const name = publicUrl.hostname.split('.')[0]!;
      const record = await world.gw.gateway.store.tunnels.get(name);
      assert.equal(record?.owner, 'account:github|1002', "bob's own tunnel");
      const res = await world.gw.send(publicUrl.hostname, '/through');
      assert.equal(res.status, 200);
      assert.equal(local.seen.at(-1)?.url, '/through');

      // Logging out while the tunnel runs revokes the login: the server drops the agent at once
      // (not at its next reconnect), and the agent, refused on reconnecting, stops saying why.
      const logout = spawnCli(['logout', '--server', world.issuer], env);
      await waitFor('the logout to finish', () => logout.child.exitCode !== null, { detail: logout.stderr });
      assert.match(logout.stdout(), /Logged out/);
      assert.equal(JSON.parse(await readFile(file, 'utf8').catch(() => '{}'))[world.issuer], undefined);
      const events = await waitFor(
        'the agent dropped for the revoked login',
        async () => {
          const all = await world.gw.gateway.store.tunnels.events(name, 10);
          return all.some((e) => e.type === 'disconnect' && e.reason === 'login revoked') ? all : undefined;
        },
        { detail: () => tunnel.stdout() + tunnel.stderr() },
      );
      assert.ok(events.length > 0);
      await waitFor('the agent to stop', () => tunnel.child.exitCode !== null, {
        detail: () => tunnel.stdout() + tunnel.stderr(),
      });
      assert.equal(tunnel.child.exitCode, 4);
      const fatal = JSON.parse(
        tunnel
          .stdout()
          .split('\n')
          .find((l) => l.includes('"event":"fatal"'))!,
      );
      assert.equal(fatal.reason, 'bad-key');
      assert.match(
        fatal.message,
        /no longer accepts the login as github:bob \(logged out, or revoked there\): log in again with gatehouse login --server http:\/\/127\.0\.0\.1:\d+/,
      );
      assert.doesNotMatch(tunnel.stderr() + tunnel.stdout(), /undefined/);
    } finally {
      await tunnel.stop();
    }
  });

  test('without a key or a login, the tunnel says to log in first', async (t) => {
    const tunnel = spawnCli(['tunnel', '3000', '--server', world.issuer, '--no-inspect'], {
      XDG_CONFIG_HOME: join(config, 'nobody'),
    });
    t.after(() => tunnel.stop());
    await waitFor('the CLI to end', () => tunnel.child.exitCode !== null, { detail: tunnel.stderr });
    assert.equal(tunnel.child.exitCode, 2);
    assert.match(tunnel.stderr(), /log in first: gatehouse login --server http:\/\/127\.0\.0\.1:\d+/);
  });
});
