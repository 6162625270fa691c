import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { RequestRecord } from '../store/request-log.ts';
import { type AdminService, listLimit } from './admin-service.ts';
import type { AdminEnv } from './deps.ts';
import { requestFilterOf } from './request-queries.ts';

/** How often an idle live stream sends a comment, so proxies and clients see it is alive. */
export const KEEP_ALIVE_MS = 15_000;

/** `/api/v1/requests`: the request log, a page at a time, and followed live (`/stream`). */
export function requestsApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => {
    const query = c.req.query();
    const cursor = query['cursor'] || undefined;
    return c.json(await service.recentRequests(requestFilterOf(query), listLimit(query['limit']), cursor));
  });

  app.get('/stream', (c) => {
    const filter = requestFilterOf(c.req.query());
    const waiting: RequestRecord[] = [];
    let wake: (() => void) | undefined;
    let open = true;
    const end = () => {
      open = false;
      wake?.();
    };
    // Subscribed before the answer starts, so a request made right after the stream opens is in it.
    const stop = service.followRequests(
      filter,
      (record) => {
        waiting.push(record);
        wake?.();
      },
      end,
    );
    c.header('cache-control', 'no-store');
    return streamSSE(c, async (stream) => {
      stream.onAbort(end);
      await stream.write(': following the request log\n\n');
      while (open) {
        const record = waiting.shift();
        if (record) {
          await stream.writeSSE({ event: 'request', data: JSON.stringify(record) });
          continue;
        }
        const idle = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), KEEP_ALIVE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = undefined;
        if (idle && open) await stream.write(': keep-alive\n\n');
      }
      stop();
    });
  });

  return app;
}

/** `/api/v1/analytics`: a window's numbers for one host, route or tunnel, or for everything. */
export function analyticsApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/', async (c) => {
    const query = c.req.query();
    const scope = requestFilterOf({ host: query['host'], route: query['route'], tunnel: query['tunnel'] });
    return c.json(await service.requestAnalytics(scope, query['window']));
  });
  return app;
}
