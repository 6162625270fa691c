import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { HttpsReach } from '../fleet/hosted-key.ts';
import type { AccessTokens, TokenPrincipal } from './access-tokens.ts';
import { SimulatorApiError } from './api-error.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Region } from './seed.ts';
import type { SimUrls } from './urls.ts';
import type { SimVehicle, World } from './world.ts';

/** What one region's Fleet API needs. */
export interface FleetDeps {
  readonly region: Region;
  readonly world: World;
  readonly tokens: AccessTokens;
  readonly urls: SimUrls;
  readonly limiter: RateLimiter;
  /** How the simulator reaches partners' domains to fetch hosted keys. */
  readonly reach: HttpsReach;
  readonly logger?: Logger | undefined;
}

/** The Hono environment of a region's Fleet API: the verified token rides along. */
export type FleetEnv = { Variables: { principal: TokenPrincipal } };

/** Tesla's 403 when the token lacks `scope`. */
export function requireScope(c: Context<FleetEnv>, scope: string): void {
  if (!c.get('principal').scopes.includes(scope)) {
    throw new SimulatorApiError('SIM_FORBIDDEN', 'Unauthorized missing scopes', {
      description: `this endpoint needs the ${scope} scope; ask for it when the token is requested`,
    });
  }
}

/** Tesla's 421, naming the region where the user's (or vehicle's) data lives. */
export function outOfRegion(deps: FleetDeps, home: Region): SimulatorApiError {
  const base = deps.urls.regionBaseUrl(home);
  return new SimulatorApiError(
    'SIM_OUT_OF_REGION',
    `user out of region, use base URL: ${base}, see https://developer.tesla.com/docs/fleet-api/getting-started/base-urls`,
    { headers: { 'alt-svc': `h2="${new URL(base).host}"` } },
  );
}

/** The vehicle `idOrVin` names, if this token may see it; Tesla's 404 (or 421) otherwise. */
export function vehicleFor(c: Context<FleetEnv>, deps: FleetDeps, idOrVin: string): SimVehicle {
  const principal = c.get('principal');
  const vehicle = deps.world.vehicleByIdOrVin(idOrVin);
  const owner = vehicle ? deps.world.accounts.get(vehicle.ownerId) : undefined;
  const visible =
    vehicle &&
    owner &&
    (principal.kind === 'user'
      ? owner.id === principal.accountId
      : owner.authorizedApps.has(principal.clientId));
  if (!vehicle || !owner || !visible) throw new SimulatorApiError('SIM_NOT_FOUND', `${idOrVin} not_found`);
  if (owner.region !== deps.region) throw outOfRegion(deps, owner.region);
  return vehicle;
}

/** The JSON body of a POST, as an object; Tesla's 400 when it is not one. */
export async function jsonBody(c: Context<FleetEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_request', {
    description: 'the body is not a JSON object',
  });
}

/** The `vins` array of a body; Tesla's 400 when it is missing or holds other than strings. */
export function vinsOf(body: Record<string, unknown>): string[] {
  const vins = body['vins'];
  if (!Array.isArray(vins) || vins.length === 0 || vins.some((v) => typeof v !== 'string')) {
    throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
      description: 'vins must be a non-empty array of VINs',
    });
  }
  return [...new Set(vins.map((v: string) => v.toUpperCase()))];
}
