import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, waitForPort } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

/** Caddy's `reverse_proxy`, on one core (GOMAXPROCS=1) like the other single-process proxies. */
export async function startCaddy(ctx: SetupContext): Promise<Contender> {
  const dir = join(ctx.dir, 'caddy');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'Caddyfile');
  writeFileSync(
    config,
    `{
\tadmin off
\tauto_https off
\tstorage file_system ${join(dir, 'data')}
}
http://:${port} {
\tbind 127.0.0.1
\treverse_proxy 127.0.0.1:${ctx.originPort}
}
`,
  );
  const program = run('caddy', 'caddy', ['run', '--config', config, '--adapter', 'caddyfile'], {
    logFile: join(dir, 'caddy.log'),
    env: { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, GOMAXPROCS: '1' },
  });
  await waitForPort(port).catch((error: Error) => {
    throw new Error(`${error.message}\n${program.output()}`);
  });
  return { id: 'caddy', target: { url: `http://127.0.0.1:${port}` }, processes: [], programs: [program] };
}
