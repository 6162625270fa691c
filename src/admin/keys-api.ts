import { Hono } from 'hono';
import { z } from 'zod';
import { dateOf } from '../core/clock.ts';
import { plainText } from '../http/plain-text.ts';
import type { ApiKeyRecord } from '../store/types.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { AdminError } from './errors.ts';
import { jsonBody } from './json-body.ts';

/** Body of `POST /api/v1/keys/`: the name is shown in listings and logs, so it is plain text. */
export const keyInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .superRefine(plainText()),
  })
  .strict();

/** A key as the API shows it: never the hash, never the secret. */
export function publicKey(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt ?? null,
  };
}

/** `/api/v1/keys`: admin API keys. A new key's secret is in the create response and nowhere else. */
export function keysApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => c.json({ keys: (await deps.store.apiKeys.list()).map(publicKey) }));

  app.post('/', async (c) => {
    const { name } = await jsonBody(c, keyInput);
    const { record, secret } = await deps.keys.create(name);
    return c.json({ ...publicKey(record), secret }, 201, { 'cache-control': 'no-store' });
  });

  app.get('/:id', async (c) => {
    const key = await deps.store.apiKeys.get(c.req.param('id'));
    if (!key) throw new AdminError('NOT_FOUND', `no API key with id ${c.req.param('id')}`, { field: 'id' });
    return c.json(publicKey(key));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const key = await deps.store.apiKeys.get(id);
    if (!key || key.revokedAt)
      throw new AdminError('NOT_FOUND', `no active API key with id ${id}`, { field: 'id' });
    const active = (await deps.store.apiKeys.list()).filter((k) => !k.revokedAt);
    if (active.length === 1 && !deps.keys.hasEnvKey) {
      // Revoking it would leave nobody able to use the admin API.
      throw new AdminError('LAST_ADMIN_KEY', 'this is the last active admin key; create another first');
    }
    await deps.store.apiKeys.revoke(id, dateOf(deps.clock).toISOString());
    return c.json(publicKey({ ...key, revokedAt: dateOf(deps.clock).toISOString() }));
  });

  return app;
}
