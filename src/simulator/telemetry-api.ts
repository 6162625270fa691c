import { Hono } from 'hono';
import { newTxid, SimulatorApiError } from './api-error.ts';
import {
  type FleetDeps,
  type FleetEnv,
  jsonBody,
  requireScope,
  vehicleFor,
  vinsOf,
} from './fleet-context.ts';
import { applySignedConfig, clearErrors, readSignedConfig } from './telemetry-config.ts';
import { MAX_TELEMETRY_CONFIGS } from './world.ts';

/** The telemetry configuration endpoints of one region. */
export function telemetryApi(deps: FleetDeps): Hono<FleetEnv> {
  const app = new Hono<FleetEnv>();
  const { world, region } = deps;
  // Tesla takes one configuration call at a time per application.
  const inFlight = new Set<string>();

  app.post('/api/1/vehicles/fleet_telemetry_config_jws', async (c) => {
    requireScope(c, 'vehicle_device_data');
    const clientId = c.get('principal').clientId;
    if (inFlight.has(clientId)) {
      throw new SimulatorApiError('SIM_RATE_LIMITED', 'Retry in 1 seconds', {
        description: 'another fleet_telemetry_config call of this application is in progress',
        headers: { 'retry-after': '1' },
      });
    }
    inFlight.add(clientId);
    try {
      const body = await jsonBody(c);
      const vins = vinsOf(body);
      const { claims, loadError } = readSignedConfig(
        body['token'],
        world.partner(region, clientId)?.publicPoint,
      );
      const vehicles = vins.map((vin) => vehicleFor(c, deps, vin));
      const result = applySignedConfig({
        world,
        region,
        clientId,
        vehicles,
        claims,
        loadError,
        txid: newTxid(),
      });
      deps.logger?.info(
        { region, client_id: clientId, updated: result.updated_vehicles, load_error: loadError },
        'simulator: telemetry config',
      );
      return c.json({ response: result });
    } finally {
      inFlight.delete(clientId);
    }
  });

  app.post('/api/1/vehicles/fleet_telemetry_config', () => {
    throw new SimulatorApiError(
      'SIM_PROXY_REQUIRED',
      'This endpoint must be called through the Vehicle Command HTTP Proxy. Refer to https://developer.tesla.com/docs/fleet-api/fleet-telemetry for instructions setting up fleet telemetry',
      { description: 'send the configuration signed, to fleet_telemetry_config_jws' },
    );
  });

  app.get('/api/1/vehicles/:vin/fleet_telemetry_config', (c) => {
    requireScope(c, 'vehicle_device_data');
    const vehicle = vehicleFor(c, deps, c.req.param('vin'));
    const clientId = c.get('principal').clientId;
    const record = world.telemetryConfig(vehicle.vin, clientId);
    return c.json({
      response: {
        synced: record?.synced ?? false,
        config: record?.claims ?? null,
        limit_reached: world.telemetryConfigCount(vehicle) >= MAX_TELEMETRY_CONFIGS,
        key_paired: world.keyPaired(vehicle, region, clientId),
      },
    });
  });

  app.delete('/api/1/vehicles/:vin/fleet_telemetry_config', (c) => {
    requireScope(c, 'vehicle_device_data');
    const vehicle = vehicleFor(c, deps, c.req.param('vin'));
    const clientId = c.get('principal').clientId;
    const removed = world.deleteTelemetryConfig(vehicle.vin, clientId);
    if (removed) clearErrors(world, vehicle.vin, clientId);
    return c.json({ response: { updated_vehicles: removed ? 1 : 0 } });
  });

  app.get('/api/1/vehicles/:vin/fleet_telemetry_errors', (c) => {
    requireScope(c, 'vehicle_device_data');
    const vehicle = vehicleFor(c, deps, c.req.param('vin'));
    const clientId = c.get('principal').clientId;
    const errors = world.telemetryErrors
      .filter((e) => e.vin === vehicle.vin && e.name === clientId)
      .map((e) => ({ name: e.name, error: e.error, vin: e.vin, created_at: e.created_at }));
    return c.json({ response: { fleet_telemetry_errors: errors } });
  });

  return app;
}
