import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { SimulatorApiError, teslaErrorResponse } from './api-error.ts';
import { type FleetDeps, type FleetEnv, outOfRegion } from './fleet-context.ts';
import { partnerApi } from './partner-api.ts';
import { telemetryApi } from './telemetry-api.ts';
import { vehiclesApi } from './vehicles-api.ts';

const MAX_BODY_BYTES = 256 * 1024;

/** Calls that work before the app registered in the region (and, for region, from any region). */
const BEFORE_REGISTRATION = new Set(['POST /api/1/partner_accounts', 'GET /api/1/users/region']);

/**
 * One region's Fleet API, mounted at its base URL. Each request passes Tesla's checks in order:
 * the bearer token (401), the rate limit (429), the user's region (421), the app's registration
 * in this region (412), the content type of a POST (406); scopes (403) are the endpoint's own.
 */
export function createFleetApp(deps: FleetDeps): Hono<FleetEnv> {
  const app = new Hono<FleetEnv>();
  const base = deps.urls.regionBaseUrl(deps.region);

  app.onError((error, c) => {
    if (!(error instanceof SimulatorApiError))
      deps.logger?.error({ err: error }, 'simulator: fleet API failed');
    return teslaErrorResponse(c, error);
  });

  app.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new SimulatorApiError('SIM_TOKEN_INVALID', 'invalid bearer token', {
        description: 'send Authorization: Bearer <access token>',
      });
    }
    const principal = await deps.tokens.verify(match[1]);
    if (!principal.audience.includes(base)) {
      throw new SimulatorApiError('SIM_TOKEN_INVALID', 'invalid bearer token', {
        description: `the token's audience (${principal.audience.join(', ')}) does not include ${base}`,
      });
    }
    c.set('principal', principal);
    deps.limiter.take(
      `all:${deps.region}:${principal.clientId}:${principal.accountId ?? 'partner'}`,
      deps.world.seed.rate_limits.requests_per_minute,
    );
    const route = `${c.req.method} ${c.req.path.slice(`/${deps.region}`.length)}`;
    if (
      route !== 'GET /api/1/users/region' &&
      principal.kind === 'user' &&
      principal.region !== deps.region
    ) {
      throw outOfRegion(deps, principal.region);
    }
    const client = deps.world.apps.get(principal.clientId);
    if (
      client?.requirePartnerRegistration &&
      !BEFORE_REGISTRATION.has(route) &&
      !deps.world.partner(deps.region, principal.clientId)
    ) {
      throw new SimulatorApiError(
        'SIM_NOT_REGISTERED',
        `Account ${principal.clientId} must be registered in the current region ${base}`,
        { bare: true },
      );
    }
    if (
      c.req.method === 'POST' &&
      !(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')
    ) {
      throw new SimulatorApiError('SIM_NOT_ACCEPTABLE', 'not acceptable', {
        description: 'send Content-Type: application/json with every POST',
      });
    }
    await next();
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_request', {
          description: `the body is larger than ${MAX_BODY_BYTES} bytes`,
        });
      },
    }),
  );

  app.route('/', partnerApi(deps));
  app.route('/', telemetryApi(deps));
  app.route('/', vehiclesApi(deps));
  app.all('*', (c) => {
    throw new SimulatorApiError('SIM_NOT_FOUND', 'not_found', {
      description: `no endpoint ${c.req.method} ${c.req.path}`,
    });
  });
  return app;
}
