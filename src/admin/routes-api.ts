import { Hono } from 'hono';
import { z } from 'zod';
import { routeInput, routePatch } from '../routes/route.ts';
import { type AdminService, listLimit } from './admin-service.ts';
import type { AdminEnv } from './deps.ts';
import { jsonBody } from './json-body.ts';

/** A developer id, as the relay names developers. */
export const developerIdInput = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/);

/** Body of a webhook replay: the developer to send it to. */
const replayInput = z.object({ developer_id: developerIdInput }).strict();

/** `/api/v1/routes`: list, create, read, change and delete routes; changes take effect at once. */
export function routesApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  // Routes leave through publicRoute: a per-route client secret is shown as "(set)", never itself.
  app.get('/', async (c) => c.json({ routes: await service.listRoutes() }));

  app.post('/', async (c) => {
    const route = await service.createRoute(await jsonBody(c, routeInput));
    return c.json(route, 201, { location: `/api/v1/routes/${route.id}` });
  });

  app.get('/:id', async (c) => c.json(await service.getRoute(c.req.param('id'))));

  app.patch('/:id', async (c) => {
    const patch = await jsonBody(c, routePatch);
    return c.json(await service.updateRoute(c.req.param('id'), patch));
  });

  app.get('/:id/deliveries', async (c) =>
    c.json({ deliveries: await service.deliveries(c.req.param('id'), listLimit(c.req.query('limit'))) }),
  );

  app.get('/:id/registrations', async (c) =>
    c.json({ registrations: await service.relayRegistrations(c.req.param('id')) }),
  );

  app.get('/:id/mcp-calls', async (c) =>
    c.json({ calls: await service.mcpCalls(c.req.param('id'), listLimit(c.req.query('limit'))) }),
  );

  app.get('/:id/deliveries/:delivery', async (c) =>
    c.json(await service.delivery(c.req.param('id'), c.req.param('delivery'))),
  );

  app.post('/:id/deliveries/:delivery/replay', async (c) => {
    const { developer_id } = await jsonBody(c, replayInput);
    return c.json(await service.replay(c.req.param('id'), c.req.param('delivery'), developer_id));
  });

  app.delete('/:id', async (c) => {
    await service.deleteRoute(c.req.param('id'));
    return c.body(null, 204);
  });

  return app;
}
