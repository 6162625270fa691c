import { Hono } from 'hono';
import { z } from 'zod';
import { type AdminService, listLimit } from './admin-service.ts';
import type { AdminEnv } from './deps.ts';
import { jsonBody } from './json-body.ts';

/** Body of `POST /api/v1/tunnels/`: a name, or none for a readable random one. */
export const tunnelInput = z.object({ name: z.string().trim().toLowerCase().optional() }).strict();

/** `/api/v1/tunnels`: tunnel identities, their keys, live state and audit trail. */
export function tunnelsApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => c.json({ tunnels: await service.listTunnels() }));

  app.post('/', async (c) => {
    const { name } = await jsonBody(c, tunnelInput);
    return c.json(await service.createTunnel(name, c.get('principal')), 201, {
      'cache-control': 'no-store',
    });
  });

  app.get('/:name', async (c) => c.json(await service.getTunnel(c.req.param('name'))));

  app.get('/:name/events', async (c) =>
    c.json({ events: await service.tunnelEvents(c.req.param('name'), listLimit(c.req.query('limit'))) }),
  );

  app.post('/:name/rotate-key', async (c) =>
    c.json(await service.rotateTunnelKey(c.req.param('name')), 200, { 'cache-control': 'no-store' }),
  );

  app.delete('/:name', async (c) => {
    await service.deleteTunnel(c.req.param('name'));
    return c.body(null, 204);
  });

  return app;
}
