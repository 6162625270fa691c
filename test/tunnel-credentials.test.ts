import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { spawnCli } from './helpers/cli-process.ts';

const ADMIN = 'gk_admin-key-that-must-stay-home';
const TUNNEL_KEY = 'gt_tunnel-key-that-must-stay-home';

describe('gatehouse tunnel sends a key only to a host that proves to be Gatehouse', () => {
  const seen: IncomingHttpHeaders[] = [];
  let dropFirst = 0;
  // Any web app with a catch-all page: 200 to everything, upgrades included.
  const app = createServer((req, res) => {
    if (dropFirst > 0) {
      // A host that drops a connection now and then must not pass for one that cannot be reached.
      dropFirst--;
      req.socket.destroy();
      return;
    }
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title>');
  });
  app.on('upgrade', (req, socket) => {
    seen.push(req.headers);
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  let url: string;
  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  after(() => {
    app.closeAllConnections();
    app.close();
  });

  for (const [name, flags, drops] of [
    ['with an admin key', ['--name', 'ysg', '--admin-key', ADMIN], 0],
    ['with a tunnel key', ['--name', 'ysg', '--key', TUNNEL_KEY], 0],
    [
      'with an admin key, after the host dropped the first attempts',
      ['--name', 'ysg', '--admin-key', ADMIN],
      2,
    ],
    [
      'with a tunnel key, after the host dropped the first attempts',
      ['--name', 'ysg', '--key', TUNNEL_KEY],
      2,
    ],
  ] as const) {
    test(name, async (t) => {
      seen.length = 0;
      dropFirst = drops;
      const cli = spawnCli([
        'tunnel',
        '3000',
        '--server',
        url,
        '--no-inspect',
        '--no-local-check',
        '--retry-for',
        '30',
        ...flags,
      ]);
      t.after(() => cli.stop());
      const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
      assert.equal(code, 2, cli.stderr());
      assert.match(cli.stderr(), /is not Gatehouse's admin API.*No key was sent.*--server/s);
      assert.ok(seen.length > 0, 'the probe reached the app');
      for (const headers of seen) {
        assert.ok(!JSON.stringify(headers).includes(ADMIN) && !JSON.stringify(headers).includes(TUNNEL_KEY));
      }
    });
  }

  test('a --server without http:// or https:// is a usage error at once, not five minutes of retries', async (t) => {
    const cli = spawnCli([
      'tunnel',
      '3000',
      '--server',
      'localhost:8080',
      '--name',
      'ysg',
      '--key',
      TUNNEL_KEY,
    ]);
    t.after(() => cli.stop());
    const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(cli.stderr(), /--server .*must be the Gatehouse URL, e\.g\. https:\/\//);
  });
});
