import { Hono } from 'hono';
import { z } from 'zod';
import { publicRoute } from '../auth/route/route-secrets.ts';
import { publicDelivery } from '../relay/deliveries.ts';
import { type Route, routeInput, routePatch } from '../routes/route.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { AdminError } from './errors.ts';
import { jsonBody } from './json-body.ts';

/** Body of a webhook replay: the developer to send it to. */
const replayInput = z.object({ developer_id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/) }).strict();

/** `/api/v1/routes`: list, create, read, change and delete routes; changes take effect at once. */
export function routesApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const routes = deps.routes;
  // Routes leave through publicRoute: a per-route client secret is shown as "(set)", never itself.
  app.get('/', async (c) => c.json({ routes: (await routes.list()).map(publicRoute) }));

  app.post('/', async (c) => {
    const route = await routes.create(await jsonBody(c, routeInput));
    return c.json(publicRoute(route), 201, { location: `/api/v1/routes/${route.id}` });
  });

  const find = (id: string): Promise<Route> => routes.get(id);

  app.get('/:id', async (c) => c.json(publicRoute(await find(c.req.param('id')))));

  app.patch('/:id', async (c) => {
    const patch = await jsonBody(c, routePatch);
    return c.json(publicRoute(await routes.update(c.req.param('id'), patch)));
  });

  app.get('/:id/deliveries', async (c) => {
    const route = await find(c.req.param('id'));
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    const redact = route.kind === 'relay' ? route.relay.webhooks?.redactHeaders : undefined;
    return c.json({
      deliveries: (await deps.relay.webhooks.deliveries(route.id, limit)).map((d) =>
        publicDelivery(d, redact),
      ),
    });
  });

  app.get('/:id/deliveries/:delivery', async (c) => {
    const route = await find(c.req.param('id'));
    const delivery = await deps.relay.webhooks.delivery(route.id, c.req.param('delivery'));
    if (!delivery)
      throw new AdminError('NOT_FOUND', `no delivery ${c.req.param('delivery')} on route ${route.id}`);
    return c.json(
      publicDelivery(delivery, route.kind === 'relay' ? route.relay.webhooks?.redactHeaders : undefined),
    );
  });

  app.post('/:id/deliveries/:delivery/replay', async (c) => {
    const { developer_id } = await jsonBody(c, replayInput);
    const route = await find(c.req.param('id'));
    const result = await deps.relay.webhooks.replay(route, c.req.param('delivery'), developer_id);
    return c.json(result);
  });

  app.delete('/:id', async (c) => {
    await routes.delete(c.req.param('id'));
    return c.body(null, 204);
  });

  return app;
}
