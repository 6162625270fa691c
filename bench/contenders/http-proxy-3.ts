import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, run, waitForPort } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

const SERVER = fileURLToPath(new URL('../servers/http-proxy-3.mjs', import.meta.url));

/** http-proxy-3 in its own Node process, with a keep-alive agent to the upstream. */
export async function startHttpProxy3(ctx: SetupContext): Promise<Contender> {
  const port = await freePort();
  const program = run(
    'http-proxy-3',
    process.execPath,
    [SERVER, String(port), `http://127.0.0.1:${ctx.originPort}`],
    { logFile: join(ctx.dir, 'http-proxy-3.log') },
  );
  await waitForPort(port).catch((error: Error) => {
    throw new Error(`${error.message}\n${program.output()}`);
  });
  return {
    id: 'http-proxy-3',
    target: { url: `http://127.0.0.1:${port}` },
    processes: [{ role: 'proxy', pid: program.child.pid! }],
    programs: [program],
  };
}
