import { Hono } from 'hono';
import { z } from 'zod';
import { ownerOf } from '../auth/keys/admin-keys.ts';
import { TunnelError } from '../tunnel/protocol/errors.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { jsonBody } from './json-body.ts';

/** Body of `POST /api/v1/tunnels/`: a name, or none for a readable random one. */
export const tunnelInput = z.object({ name: z.string().trim().toLowerCase().optional() }).strict();

/** `/api/v1/tunnels`: tunnel identities, their keys, live state and audit trail. */
export function tunnelsApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const tunnels = deps.tunnels;

  app.get('/', async (c) =>
    c.json({ tunnels: (await deps.store.tunnels.list()).map((t) => tunnels.view(t)) }),
  );

  app.post('/', async (c) => {
    const { name } = await jsonBody(c, tunnelInput);
    const made = await tunnels.create(name, ownerOf(c.get('principal')));
    return c.json({ ...made.tunnel, key: made.key }, 201, { 'cache-control': 'no-store' });
  });

  const find = async (name: string) => {
    const record = await deps.store.tunnels.get(name);
    if (!record) throw new TunnelError('TUNNEL_NOT_FOUND', `no tunnel named ${name}`, { field: 'name' });
    return record;
  };

  app.get('/:name', async (c) => c.json(tunnels.view(await find(c.req.param('name')))));

  app.get('/:name/events', async (c) => {
    const name = c.req.param('name');
    await find(name);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    return c.json({ events: await deps.store.tunnels.events(name, limit) });
  });

  app.post('/:name/rotate-key', async (c) => {
    const made = await tunnels.rotateKey(c.req.param('name'));
    return c.json({ ...made.tunnel, key: made.key }, 200, { 'cache-control': 'no-store' });
  });

  app.delete('/:name', async (c) => {
    await tunnels.delete(c.req.param('name'));
    return c.body(null, 204);
  });

  return app;
}
