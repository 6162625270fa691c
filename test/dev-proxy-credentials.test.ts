import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { spawnCli } from './helpers/cli-process.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_admin-key-that-must-stay-home';
const TUNNEL_KEY = 'gt_tunnel-key-that-must-stay-home';

/**
 * A relay host's deployed app: it answers 200 to anything (as an app with a catch-all page does)
 * and records every request, upgrades included.
 */
async function startDeployedApp() {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title>');
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keysSeen = () =>
    seen.filter(
      (r) => JSON.stringify(r.headers).includes(ADMIN) || JSON.stringify(r.headers).includes(TUNNEL_KEY),
    );
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, seen, keysSeen, close };
}

async function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  // Only the flags given here say where Gatehouse is.
  delete process.env['GATEHOUSE_SERVER'];
  const cli = spawnCli(['dev-proxy', 'start', ...args], {
    DEV_PROXY_SHARED_SECRET: 'dev-proxy-credentials-secret',
  });
  const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
  return { code, stderr: cli.stderr() };
}

describe('dev-proxy sends a key only to a host that proves to be Gatehouse', () => {
  let app: Awaited<ReturnType<typeof startDeployedApp>>;
  let local: Upstream;
  before(async () => {
    app = await startDeployedApp();
    local = await startUpstream();
  });
  after(async () => {
    await app.close();
    await local.close();
  });

  test('without --server, the admin key is not sent to the relay host: exit 2 naming --server', async () => {
    const { code, stderr } = await run([
      '--relay',
      app.url,
      '--developer',
      'alice',
      '--port',
      String(local.port),
      '--admin-key',
      ADMIN,
    ]);
    assert.deepEqual(app.keysSeen(), [], 'the deployed app received a key');
    assert.equal(code, 2, stderr);
    assert.match(stderr, /--server/);
  });

  for (const [what, flag, key] of [
    ['the admin key', '--admin-key', ADMIN],
    ['the tunnel key', '--key', TUNNEL_KEY],
  ] as const) {
    test(`--server pointing at a host that is not Gatehouse: ${what} is not sent`, async () => {
      const { code, stderr } = await run([
        '--relay',
        app.url,
        '--server',
        app.url,
        '--developer',
        'alice',
        '--port',
        String(local.port),
        flag,
        key,
      ]);
      assert.deepEqual(app.keysSeen(), [], 'the deployed app received a key');
      assert.equal(code, 2, stderr);
      assert.match(stderr, /is not Gatehouse's admin API.*No key was sent.*--server/);
    });
  }
});
