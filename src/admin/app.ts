import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AdminPrincipal } from '../auth/keys/admin-keys.ts';
import { bearerToken } from '../auth/keys/api-key.ts';
import { GatehouseError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { honoErrorHandler } from '../http/error-response.ts';
import { adminService } from './admin-service.ts';
import { certificatesApi } from './certificates-api.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { AdminError } from './errors.ts';
import { keysApi } from './keys-api.ts';
import { openApiDocument } from './openapi.ts';
import { analyticsApi, requestsApi } from './requests-api.ts';
import { routesApi } from './routes-api.ts';
import { tunnelsApi } from './tunnels-api.ts';
import { vehiclesApi } from './vehicles-api.ts';

/** The scope an OAuth access token needs for the admin API. */
export const ADMIN_SCOPE = 'admin';

/**
 * Who sends the admin request: an API key (`gk_…`), or else, when OAuth is on, an access token
 * for the admin API carrying the `admin` scope. A valid token without it is 403, not 401, so a
 * client knows logging in again will not help.
 */
async function adminPrincipal(deps: AdminDeps, authorization: string | undefined): Promise<AdminPrincipal> {
  const token = bearerToken(authorization);
  const how = deps.oauthPrincipal
    ? 'an admin API key or an OAuth access token with the admin scope'
    : 'an admin API key';
  if (!token) throw new AdminError('UNAUTHORIZED', `send ${how} as Authorization: Bearer <token>`);
  const keyed = await deps.keys.authenticate(token);
  if (keyed) return keyed;
  const person = token.startsWith('gk_') ? undefined : await deps.oauthPrincipal?.(token);
  if (!person)
    throw new AdminError('UNAUTHORIZED', `the API key or token is unknown, revoked or expired: send ${how}`);
  if (!person.scopes.includes(ADMIN_SCOPE))
    throw new AdminError(
      'INSUFFICIENT_SCOPE',
      `${person.login} has no admin scope here: an administrator adds them to --admin-users`,
    );
  return person;
}

/** Largest admin request body accepted. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The control-plane application: health, metrics and the authenticated admin API. */
export function createAdminApp(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const service = adminService(deps);

  app.onError(honoErrorHandler);
  app.notFound(() => {
    throw new AdminError('NOT_FOUND', 'no such endpoint');
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!deps.accepting()) return c.json({ status: 'shutting down' }, 503);
    try {
      await deps.store.ping();
      return c.json({ status: 'ready', store: deps.store.kind, routes: deps.catalog.table.size });
    } catch {
      return c.json({ status: 'store unavailable', store: deps.store.kind }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    deps.metrics.routes.set(deps.catalog.table.size);
    return c.text(await deps.metrics.registry.metrics(), 200, {
      'content-type': deps.metrics.registry.contentType,
    });
  });
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument(VERSION)));

  app.use('/api/*', async (c, next) => {
    c.set('principal', await adminPrincipal(deps, c.req.header('authorization')));
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AdminError('PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.post('/api/v1/oauth/keys/rotate', async (c) => {
    if (!deps.rotateSigningKey)
      throw new GatehouseError('AUTH_UNAVAILABLE', 'the authorization server is not running (see the log)');
    return c.json({ keys: await deps.rotateSigningKey() });
  });

  // Collections answer with and without the trailing slash.
  for (const [path, sub] of [
    ['/api/v1/routes', routesApi(service)],
    ['/api/v1/keys', keysApi(service)],
    ['/api/v1/tunnels', tunnelsApi(service)],
    ['/api/v1/fleet/vehicles', vehiclesApi(service)],
    ['/api/v1/certificates', certificatesApi(deps)],
    ['/api/v1/requests', requestsApi(service)],
    ['/api/v1/analytics', analyticsApi(service)],
  ] as const) {
    app.route(path, sub);
    app.route(`${path}/`, sub);
  }
  return app;
}
