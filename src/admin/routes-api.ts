import { Hono } from 'hono';
import { z } from 'zod';
import { applyRoutePatch, type Route, routeInput, routePatch } from '../edge/route.ts';
import { publicDelivery } from '../relay/deliveries.ts';
import { newId } from '../util/ids.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { AdminError, validationError } from './errors.ts';
import { jsonBody } from './json-body.ts';

/** Body of a webhook replay: the developer to send it to. */
const replayInput = z.object({ developer_id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/) }).strict();

/** `/api/v1/routes`: list, create, read, change and delete routes; changes take effect at once. */
export function routesApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const list = async () => ({ routes: await deps.store.routes.list() });
  app.get('/', async (c) => c.json(await list()));

  app.post('/', async (c) => {
    const input = await jsonBody(c, routeInput);
    const now = deps.now();
    const route: Route = {
      id: newId(now.getTime()),
      ...input,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await deps.store.routes.insert(route);
    await deps.catalog.refresh();
    return c.json(route, 201, { location: `/api/v1/routes/${route.id}` });
  });

  const find = async (id: string): Promise<Route> => {
    const route = await deps.store.routes.get(id);
    if (!route) throw new AdminError('NOT_FOUND', `no route with id ${id}`, { field: 'id' });
    return route;
  };

  app.get('/:id', async (c) => c.json(await find(c.req.param('id'))));

  app.patch('/:id', async (c) => {
    const patch = await jsonBody(c, routePatch);
    const current = await find(c.req.param('id'));
    const next = applyRoutePatch(current, patch, deps.now().toISOString());
    // Revalidate the whole result so a patch can never store a route a create would refuse.
    const checked = routeInput.safeParse(stripMeta(next));
    if (!checked.success) throw validationError(checked.error);
    if (!(await deps.store.routes.replace(next)))
      throw new AdminError('NOT_FOUND', `no route with id ${current.id}`);
    await deps.catalog.refresh();
    return c.json(next);
  });

  app.get('/:id/deliveries', async (c) => {
    const route = await find(c.req.param('id'));
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    const redact = route.relay?.webhooks?.redactHeaders;
    return c.json({
      deliveries: (await deps.relay.deliveries(route.id, limit)).map((d) => publicDelivery(d, redact)),
    });
  });

  app.get('/:id/deliveries/:delivery', async (c) => {
    const route = await find(c.req.param('id'));
    const delivery = await deps.relay.delivery(route.id, c.req.param('delivery'));
    if (!delivery)
      throw new AdminError('NOT_FOUND', `no delivery ${c.req.param('delivery')} on route ${route.id}`);
    return c.json(publicDelivery(delivery, route.relay?.webhooks?.redactHeaders));
  });

  app.post('/:id/deliveries/:delivery/replay', async (c) => {
    const { developer_id } = await jsonBody(c, replayInput);
    const route = await find(c.req.param('id'));
    const result = await deps.relay.replay(route, c.req.param('delivery'), developer_id);
    return c.json(result);
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.routes.delete(id)))
      throw new AdminError('NOT_FOUND', `no route with id ${id}`, { field: 'id' });
    await deps.catalog.refresh();
    return c.body(null, 204);
  });

  return app;
}

function stripMeta(route: Route): Omit<Route, 'id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = route;
  return rest;
}
