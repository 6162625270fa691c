import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { request } from 'undici';
import { createTunnelOn, waitForOutput } from './helpers/agent-process.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_inspector-tunnel-admin';

interface ShownTunnel {
  name: string;
  publicUrl: string | null;
  state: string;
  reason: string | null;
  since: string;
  local: string;
  server: string;
}

describe('the inspector says which tunnel it belongs to', () => {
  let local: Upstream;
  let gh: CliProcess & { port: number };
  let agent: CliProcess;
  let printed: URL;
  let browser: Browser;
  const tunnel = async () => {
    const token = new URLSearchParams(printed.hash.slice(1)).get('token');
    const res = await request(new URL('/api/tunnel', printed), {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200);
    return (await res.body.json()) as ShownTunnel;
  };

  before(async () => {
    local = await startUpstream((_req, res) => res.end('ok'));
    gh = await spawnServe(['--data', tempDir('gatehouse-itun-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    const key = await createTunnelOn(gh.port, 'shown', ADMIN);
    agent = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${gh.port}`,
      '--name',
      'shown',
      '--key',
      key,
      '--inspect',
      '127.0.0.1:0',
    ]);
    printed = new URL((await waitForOutput(agent, 'stderr', /Inspector: (http:\/\/\S+#token=\S+)/))[1]!);
    await waitForOutput(agent, 'stderr', /● online/);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await gh?.stop();
    await local?.close();
  });

  test('its API: name, public URL, state, local and server', async () => {
    const shown = await tunnel();
    assert.equal(shown.name, 'shown');
    assert.equal(shown.publicUrl, `http://shown.localhost:${gh.port}`);
    assert.equal(shown.state, 'online');
    assert.equal(shown.reason, null);
    assert.equal(shown.local, local.url);
    assert.equal(shown.server, `http://127.0.0.1:${gh.port}`);
    assert.ok(Date.now() - Date.parse(shown.since) < 60_000, shown.since);
  });

  test('its page: the same, in the header and the title', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(printed.href);
    const header = page.locator('header', { hasText: 'online' });
    await header.waitFor();
    const text = await header.textContent();
    assert.match(text ?? '', /shown/);
    assert.match(text ?? '', new RegExp(`http://shown.localhost:${gh.port}`));
    assert.match(text ?? '', new RegExp(local.url));
    assert.match(await page.title(), /^shown · Gatehouse inspector$/);
  });

  test('and that it is offline, with why, once the server is gone', async () => {
    await gh.stop();
    await waitForOutput(agent, 'stderr', /○ offline/);
    const shown = await tunnel();
    assert.equal(shown.state, 'offline');
    assert.match(shown.reason ?? '', /connection lost|cannot reach/);
  });
});
