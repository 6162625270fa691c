import { type Context, Hono } from 'hono';
import { SimulatorApiError } from './api-error.ts';
import {
  type FleetDeps,
  type FleetEnv,
  jsonBody,
  requireScope,
  vehicleFor,
  vinsOf,
} from './fleet-context.ts';
import { DEFAULT_ENDPOINTS, VEHICLE_DATA_ENDPOINTS, vehicleData } from './vehicle-data.ts';
import { compareFirmware, pagination, SIGNED_TELEMETRY_FIRMWARE, vehicleJson } from './vehicle-json.ts';
import type { SimAccount } from './world.ts';

function requireUser(c: Context<FleetEnv>, deps: FleetDeps): SimAccount {
  const principal = c.get('principal');
  const account = principal.accountId ? deps.world.accounts.get(principal.accountId) : undefined;
  if (principal.kind !== 'user' || !account) {
    throw new SimulatorApiError('SIM_FORBIDDEN', 'Expected user account', {
      description: 'this endpoint takes a user token (authorization_code or refresh_token)',
    });
  }
  return account;
}

function positiveInt(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
      description: `${name} must be a positive integer`,
    });
  }
  return value;
}

/** The user and vehicle endpoints of one region. */
export function vehiclesApi(deps: FleetDeps): Hono<FleetEnv> {
  const app = new Hono<FleetEnv>();
  const { world, region } = deps;
  const limits = world.seed.rate_limits;

  app.get('/api/1/users/region', (c) => {
    const account = requireUser(c, deps);
    requireScope(c, 'user_data');
    return c.json({
      response: { region: account.region, fleet_api_base_url: deps.urls.regionBaseUrl(account.region) },
    });
  });

  app.get('/api/1/vehicles', (c) => {
    const account = requireUser(c, deps);
    requireScope(c, 'vehicle_device_data');
    const page = positiveInt(c.req.query('page'), 1, 'page');
    const perPage = positiveInt(c.req.query('per_page'), 100, 'per_page');
    const all = world.vehiclesOf(account);
    const shown = all.slice((page - 1) * perPage, page * perPage);
    return c.json({
      response: shown.map((v) => vehicleJson(world, v)),
      pagination: pagination(all.length, page, perPage),
      count: all.length,
    });
  });

  app.get('/api/1/vehicles/:id', (c) => {
    requireUser(c, deps);
    requireScope(c, 'vehicle_device_data');
    return c.json({ response: vehicleJson(world, vehicleFor(c, deps, c.req.param('id'))) });
  });

  app.post('/api/1/vehicles/:id/wake_up', (c) => {
    requireUser(c, deps);
    requireScope(c, 'vehicle_device_data');
    const vehicle = vehicleFor(c, deps, c.req.param('id'));
    deps.limiter.take(`wake:${c.get('principal').clientId}:${vehicle.vin}`, limits.wake_up_per_minute);
    world.wake(vehicle);
    return c.json({ response: vehicleJson(world, vehicle) });
  });

  app.get('/api/1/vehicles/:id/vehicle_data', (c) => {
    requireUser(c, deps);
    requireScope(c, 'vehicle_device_data');
    const vehicle = vehicleFor(c, deps, c.req.param('id'));
    const asked = c.req.query('endpoints');
    const endpoints = asked ? asked.split(/[;,]/).filter(Boolean) : DEFAULT_ENDPOINTS;
    const unknown = endpoints.filter((e) => !(VEHICLE_DATA_ENDPOINTS as readonly string[]).includes(e));
    if (unknown.length) {
      throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
        description: `unknown endpoints ${unknown.join(', ')}; use ${VEHICLE_DATA_ENDPOINTS.join(';')}`,
      });
    }
    deps.limiter.take(`data:${c.get('principal').clientId}:${vehicle.vin}`, limits.vehicle_data_per_minute);
    if (world.stateOf(vehicle) !== 'online') {
      throw new SimulatorApiError(
        'SIM_VEHICLE_UNAVAILABLE',
        'vehicle unavailable: vehicle is offline or asleep',
      );
    }
    const data = vehicleData({
      vin: vehicle.vin,
      index: vehicle.index,
      displayName: vehicle.displayName,
      firmware: vehicle.firmware,
      region,
      startedAt: world.startedAt,
      now: world.clock(),
      endpoints,
      locationAllowed: c.get('principal').scopes.includes('vehicle_location'),
    });
    return c.json({ response: { ...vehicleJson(world, vehicle), ...data } });
  });

  app.post('/api/1/vehicles/fleet_status', async (c) => {
    requireScope(c, 'vehicle_device_data');
    const vins = vinsOf(await jsonBody(c));
    const clientId = c.get('principal').clientId;
    const known = vins.flatMap((vin) => {
      try {
        return [vehicleFor(c, deps, vin)];
      } catch (error) {
        // VINs this token may not see are left out, as Tesla leaves them out.
        if (error instanceof SimulatorApiError && error.code === 'SIM_NOT_FOUND') return [];
        throw error;
      }
    });
    const paired = known.filter((v) => world.keyPaired(v, region, clientId));
    return c.json({
      response: {
        key_paired_vins: paired.map((v) => v.vin),
        unpaired_vins: known.filter((v) => !paired.includes(v)).map((v) => v.vin),
        vehicle_info: Object.fromEntries(
          known.map((v) => [
            v.vin,
            {
              firmware_version: v.firmware,
              vehicle_command_protocol_required: true,
              discounted_device_data: false,
              fleet_telemetry_version:
                compareFirmware(v.firmware, SIGNED_TELEMETRY_FIRMWARE) >= 0 && !v.unsupportedHardware
                  ? '1.0.0'
                  : 'unsupported',
              total_number_of_keys: 2 + v.pairedDomains.size,
            },
          ]),
        ),
      },
    });
  });

  return app;
}
