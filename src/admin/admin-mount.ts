import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Mount } from '../routes/mount.ts';
import type { AdminEnv } from './deps.ts';

/** Where the control plane answers on the admin hosts; every other path there is routed as usual. */
export const ADMIN_PATHS = { exact: ['/healthz', '/readyz', '/metrics'], prefixes: ['/api'] } as const;

/** The admin application mounted on the admin hosts. */
export function adminMount(app: Hono<AdminEnv>): Mount {
  const listener = getRequestListener(app.fetch);
  return {
    kind: 'admin',
    hosts: 'admin',
    paths: ADMIN_PATHS,
    request: async ({ req, res }) => {
      closeIfBodyUnread(req, res);
      await listener(req, res);
    },
  };
}

/**
 * An admin answer can come before the request body was read (401, 413). The unread rest is then
 * abandoned, so the connection must not be reused: say `Connection: close` in that case.
 */
function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete) this.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as typeof writeHead;
}
