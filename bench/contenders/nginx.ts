import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, waitForPort } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

/**
 * nginx as a reverse proxy: one worker (Gatehouse is one process), keep-alive to the upstream,
 * uploads streamed, WebSocket upgrades passed on. Response buffering stays on, its default: here
 * it downloads about twice as fast as with buffering off. Buffers stay in memory: a worker that
 * runs as another user than the master could not write temp files into the run's directory.
 */
export async function startNginx(ctx: SetupContext): Promise<Contender> {
  const dir = join(ctx.dir, 'nginx');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(dir, 'access.log')};
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  upstream origin { server 127.0.0.1:${ctx.originPort}; keepalive 64; }
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
    }
  }
}
`,
  );
  const program = run(
    'nginx',
    'nginx',
    ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
    {
      logFile: join(dir, 'stdout.log'),
    },
  );
  await waitForPort(port).catch((error: Error) => {
    throw new Error(`${error.message}\n${program.output()}`);
  });
  return {
    id: 'nginx',
    target: { url: `http://127.0.0.1:${port}` },
    processes: [],
    programs: [program],
  };
}
