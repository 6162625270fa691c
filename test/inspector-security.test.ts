import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { request } from 'undici';
import { waitForEvent } from './helpers/agent-process.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_inspector-security-admin';
const REBOUND = 'rebound.test';

describe("the inspector lets in only its user's own pages and tools", () => {
  let local: Upstream;
  let gh: CliProcess & { port: number };
  let agent: CliProcess;
  let inspector: string;
  let port: number;
  let token: string;
  let id: string;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;
  const replays = () => local.seen.filter((r) => r.headers['gatehouse-replay-of']).length;
  const call = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    request(`${inspector}${path}`, {
      method: (init.method ?? 'GET') as 'GET',
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  before(async () => {
    local = await startUpstream((_req, res) => res.end('local answer'));
    gh = await spawnServe(['--data', tempDir('gatehouse-insp-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    agent = spawnCli(
      [
        'tunnel',
        local.url,
        '--server',
        `http://127.0.0.1:${gh.port}`,
        '--name',
        'peeked',
        '--json',
        '--inspect',
        '127.0.0.1:0',
      ],
      { GATEHOUSE_ADMIN_KEY: ADMIN },
    );
    const online = await waitForEvent(agent, 'online');
    inspector = String(online['inspector']);
    token = String(online['inspectorToken']);
    port = Number(new URL(inspector).port);
    const res = await request(`http://127.0.0.1:${gh.port}/orders`, {
      headers: { host: 'peeked.localhost' },
    });
    assert.equal(await res.body.text(), 'local answer');
    id = String((await waitForEvent(agent, 'request'))['id']);

    // Another site the user has open: it tries to replay and to read captured requests.
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`],
    });
  });

  after(async () => {
    await browser?.close();
    attacker?.close();
    await agent?.stop();
    await gh?.stop();
    await local?.close();
  });

  test('the API needs this run’s token, and says where to find it', async () => {
    const missing = await request(`${inspector}/api/requests`);
    assert.equal(missing.statusCode, 401);
    const missingBody = (await missing.body.json()) as { error: string; message: string };
    assert.equal(missingBody.error, 'INSPECTOR_TOKEN_REQUIRED');
    assert.match(missingBody.message, /Authorization: Bearer/);
    assert.match(missingBody.message, /#token=/);

    const wrong = await call('/api/requests', { headers: { authorization: `Bearer ${token}x` } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(((await wrong.body.json()) as { error: string }).error, 'INSPECTOR_TOKEN_INVALID');

    const right = await call(`/api/requests/${id}`);
    assert.equal(right.statusCode, 200);
    assert.equal(((await right.body.json()) as { path: string }).path, '/orders');
  });

  test('a Host that is not loopback with its port is refused, token or not (DNS rebinding)', async () => {
    for (const host of [`${REBOUND}:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `evil.example`]) {
      const res = await call('/api/requests', { headers: { host } });
      assert.equal(res.statusCode, 421, host);
      const body = (await res.body.json()) as { error: string; message: string };
      assert.equal(body.error, 'INSPECTOR_HOST_REFUSED');
      assert.match(body.message, new RegExp(`http://127.0.0.1:${port}`));
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      const res = await call('/api/requests', { headers: { host } });
      assert.equal(res.statusCode, 200, host);
      await res.body.dump();
    }
    const page = await request(`${inspector}/`, { headers: { host: `${REBOUND}:${port}` } });
    assert.equal(page.statusCode, 421);
    await page.body.dump();
  });

  test('a replay sent from another origin is refused; the inspector’s own origin and tools may replay', async () => {
    const before = replays();
    const foreign = await call(`/api/requests/${id}/replay`, {
      method: 'POST',
      headers: { origin: attackerUrl },
    });
    assert.equal(foreign.statusCode, 403);
    const body = (await foreign.body.json()) as { error: string; message: string };
    assert.equal(body.error, 'INSPECTOR_ORIGIN_REFUSED');
    assert.match(body.message, new RegExp(attackerUrl));
    assert.equal(replays(), before);

    const own = await call(`/api/requests/${id}/replay`, { method: 'POST', headers: { origin: inspector } });
    assert.equal(own.statusCode, 201);
    await own.body.dump();
    const tool = await call(`/api/requests/${id}/replay`, { method: 'POST' });
    assert.equal(tool.statusCode, 201);
    await tool.body.dump();
    assert.equal(replays(), before + 2);
  });

  test('in a browser, the inspector URL with its token shows the requests', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${inspector}/#token=${token}`);
    await page.locator('#rows tr', { hasText: '/orders' }).first().waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
    await page.reload();
    await page.locator('#rows tr', { hasText: '/orders' }).first().waitFor();
  });

  test('in a browser, another site cannot replay or read, and a rebound name gets nothing', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    const before = replays();
    await page.goto(attackerUrl);
    const outcome = await page.evaluate(
      async ({ target, id }) => {
        const tries: string[] = [];
        // A simple request needs no preflight, so it reaches the inspector: the Origin check stops it.
        await fetch(`${target}/api/requests/${id}/replay`, { method: 'POST', mode: 'no-cors' }).catch(
          () => {},
        );
        await fetch(`${target}/api/requests`).then(
          (r) => tries.push(`read ${r.status}`),
          () => tries.push('unreadable'),
        );
        return tries;
      },
      { target: inspector, id },
    );
    assert.deepEqual(outcome, ['unreadable']);
    assert.equal(replays(), before, 'no replay reached the local server');

    const rebound = await page.goto(`http://${REBOUND}:${port}/`);
    assert.equal(rebound?.status(), 421);
  });
});
