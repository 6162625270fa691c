import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createLogger } from '../../src/core/logger.ts';
import { Metrics } from '../../src/core/metrics.ts';
import { createDispatcher } from '../../src/edge/dispatcher.ts';
import type { Guard } from '../../src/routes/guard.ts';
import type { Mount } from '../../src/routes/mount.ts';
import type { RouteOf } from '../../src/routes/route.ts';
import type { RouteHandler } from '../../src/routes/route-handler.ts';

/** What a request sent through {@link startMiniDispatcher} carries. */
export interface Sent {
  host?: string;
  cookie?: string;
  method?: 'GET' | 'POST';
  /** A urlencoded form body. */
  body?: string;
  headers?: Record<string, string>;
  accept?: string;
}

/** An answer, its cookies as a list. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  setCookie: string[];
}

/**
 * The real dispatcher on a loopback port with the given mounts and guards; every `*.test` host
 * is routed to a static route whose handler answers `page <url>`.
 */
export async function startMiniDispatcher(options: { mounts?: Mount[]; guards?: Guard[] }) {
  const answered: RouteHandler = {
    request: async ({ res, req }) => {
      res.end(`page ${req.url}`);
    },
    upgrade: async ({ socket, done }) => {
      socket.destroy();
      done(500);
    },
  };
  const dispatcher = createDispatcher({
    mounts: options.mounts ?? [],
    resolve: (host) =>
      host.endsWith('.test') ? { kind: 'static', route: { id: host } as RouteOf<'static'> } : undefined,
    guards: () => options.guards ?? [],
    handlers: {
      proxy: answered,
      relay: answered,
      tunnel: answered,
      static: answered,
      'fleet-proxy': answered,
      'fleet-login': answered,
      mcp: answered,
    },
    adminHosts: new Set(),
    logger: createLogger('silent'),
    metrics: new Metrics(),
  });
  const server = createServer(dispatcher.request);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Sends a request as a browser would (Accept: text/html unless told). */
  async function send(path: string, sent: Sent = {}): Promise<Answer> {
    const response = await request(`${base}${path}`, {
      method: sent.method ?? 'GET',
      headers: {
        host: sent.host ?? 'app.test',
        accept: sent.accept ?? 'text/html',
        ...(sent.cookie ? { cookie: sent.cookie } : {}),
        ...(sent.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...sent.headers,
      },
      ...(sent.body !== undefined ? { body: sent.body } : {}),
    });
    const text = await response.body.text();
    const setCookie = [response.headers['set-cookie'] ?? []].flat();
    return { status: response.statusCode, headers: response.headers, text, setCookie };
  }
  return { send, close: () => server.close() };
}

/** `name=value` of a `Set-Cookie` header. */
export function cookiePair(setCookie: string): string {
  return setCookie.slice(0, setCookie.indexOf(';'));
}
