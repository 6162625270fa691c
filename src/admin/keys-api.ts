import { Hono } from 'hono';
import { z } from 'zod';
import { plainText } from '../http/plain-text.ts';
import type { AdminService } from './admin-service.ts';
import type { AdminEnv } from './deps.ts';
import { jsonBody } from './json-body.ts';

/** A key's name: shown in listings and logs, so it is plain text. */
export const keyName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .superRefine(plainText());

/** Body of `POST /api/v1/keys/`. */
export const keyInput = z.object({ name: keyName }).strict();

/** `/api/v1/keys`: admin API keys. A new key's secret is in the create response and nowhere else. */
export function keysApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => c.json({ keys: await service.listKeys(c.get('principal')) }));

  app.post('/', async (c) => {
    const { name } = await jsonBody(c, keyInput);
    return c.json(await service.createKey(name, c.get('principal')), 201, { 'cache-control': 'no-store' });
  });

  app.get('/:id', async (c) => c.json(await service.getKey(c.req.param('id'), c.get('principal'))));

  app.delete('/:id', async (c) => c.json(await service.revokeKey(c.req.param('id'), c.get('principal'))));

  return app;
}
