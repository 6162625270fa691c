import { Hono } from 'hono';
import { z } from 'zod';
import type { AdminPrincipal } from '../auth/keys/admin-keys.ts';
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

/** The id under which listings show the key from GATEHOUSE_ADMIN_KEY. */
export const ENV_KEY_ID = 'env';

/**
 * A key as the API shows it: never the hash, never the secret; where it comes from (`stored`, or
 * `environment` for GATEHOUSE_ADMIN_KEY), and whether it is the one the request came with.
 */
export function publicKey(key: ApiKeyRecord, principal?: AdminPrincipal) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    source: 'stored' as const,
    inUse: principal?.kind === 'key' && principal.key.id === key.id,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt ?? null,
  };
}

/** GATEHOUSE_ADMIN_KEY as listings show it: it works without being stored, so it has no dates. */
function environmentKey(prefix: string, principal: AdminPrincipal) {
  return {
    id: ENV_KEY_ID,
    name: 'GATEHOUSE_ADMIN_KEY',
    prefix,
    source: 'environment' as const,
    inUse: principal.kind === 'env',
    createdAt: null,
    revokedAt: null,
  };
}

/** `/api/v1/keys`: admin API keys. A new key's secret is in the create response and nowhere else. */
export function keysApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  // The environment's key first: after a lost key is replaced by it, it is the one in use.
  app.get('/', async (c) => {
    const principal = c.get('principal');
    const stored = (await deps.store.apiKeys.list()).map((k) => publicKey(k, principal));
    const prefix = deps.keys.envKeyPrefix;
    return c.json({ keys: prefix ? [environmentKey(prefix, principal), ...stored] : stored });
  });

  app.post('/', async (c) => {
    const { name } = await jsonBody(c, keyInput);
    const { record, secret } = await deps.keys.create(name);
    return c.json({ ...publicKey(record, c.get('principal')), secret }, 201, { 'cache-control': 'no-store' });
  });

  app.get('/:id', async (c) => {
    const prefix = deps.keys.envKeyPrefix;
    if (prefix && c.req.param('id') === ENV_KEY_ID) return c.json(environmentKey(prefix, c.get('principal')));
    const key = await deps.store.apiKeys.get(c.req.param('id'));
    if (!key) throw new AdminError('NOT_FOUND', `no API key with id ${c.req.param('id')}`, { field: 'id' });
    return c.json(publicKey(key, c.get('principal')));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (deps.keys.hasEnvKey && id === ENV_KEY_ID)
      throw new AdminError(
        'ADMIN_KEY_FROM_ENVIRONMENT',
        'this key is GATEHOUSE_ADMIN_KEY, which is not stored: unset the variable and restart Gatehouse to stop it working',
      );
    const key = await deps.store.apiKeys.get(id);
    if (!key || key.revokedAt)
      throw new AdminError('NOT_FOUND', `no active API key with id ${id}`, { field: 'id' });
    const active = (await deps.store.apiKeys.list()).filter((k) => !k.revokedAt);
    if (active.length === 1 && !deps.keys.hasEnvKey) {
      // Revoking it would leave nobody able to use the admin API.
      throw new AdminError('LAST_ADMIN_KEY', 'this is the last active admin key; create another first');
    }
    await deps.store.apiKeys.revoke(id, dateOf(deps.clock).toISOString());
    return c.json(publicKey({ ...key, revokedAt: dateOf(deps.clock).toISOString() }, c.get('principal')));
  });

  return app;
}
