import { type Context, Hono } from 'hono';
import { GatehouseError } from '../core/errors.ts';
import { statusForCode } from '../http/error-status.ts';
import { VEHICLE_STATES, type VehicleState } from './seed.ts';
import type { VehicleCa } from './vehicle-ca.ts';
import type { VehicleStreams } from './vehicle-streams.ts';
import { originHost, type SimVehicle, type World } from './world.ts';

/** What the control API needs. */
export interface ControlDeps {
  readonly world: World;
  readonly ca: VehicleCa;
  readonly streams?: VehicleStreams | undefined;
}

function refuse(code: 'SIM_BAD_REQUEST' | 'SIM_NOT_FOUND', message: string): GatehouseError {
  return new GatehouseError(code, message);
}

async function body(c: Context): Promise<Record<string, unknown>> {
  const value: unknown = await c.req.json().catch(() => undefined);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw refuse('SIM_BAD_REQUEST', 'send a JSON object body with Content-Type: application/json');
  }
  return value as Record<string, unknown>;
}

/**
 * `{url}/sim/...`: the simulator's own API for tests and demos (not Tesla's). No authentication:
 * the simulator listens on loopback unless told otherwise.
 */
export function createControlApp(deps: ControlDeps): Hono {
  const app = new Hono();
  const { world } = deps;

  app.onError((error, c) => {
    if (error instanceof GatehouseError) {
      return c.json({ error: error.code, message: error.message }, statusForCode(error.code) as 400);
    }
    return c.json({ error: 'INTERNAL', message: 'internal error' }, 500);
  });

  const vehicle = (c: Context): SimVehicle => {
    const vin = c.req.param('vin') ?? '';
    const found = world.vehicleByIdOrVin(vin);
    if (!found) throw refuse('SIM_NOT_FOUND', `no vehicle ${vin}; GET /sim/state lists them`);
    return found;
  };

  app.get('/sim/state', (c) => c.json(world.snapshot()));

  app.get('/sim/ca.pem', (c) => c.body(deps.ca.certPem, 200, { 'content-type': 'application/x-pem-file' }));

  app.post('/sim/vehicles/:vin', async (c) => {
    const target = vehicle(c);
    const state = (await body(c))['state'];
    if (typeof state !== 'string' || !VEHICLE_STATES.includes(state as VehicleState)) {
      throw refuse('SIM_BAD_REQUEST', `state must be one of ${VEHICLE_STATES.join(', ')}`);
    }
    world.setState(target, state as VehicleState);
    return c.json({ vin: target.vin, state: world.stateOf(target) });
  });

  app.post('/sim/vehicles/:vin/pair', async (c) => {
    const target = vehicle(c);
    const domain = (await body(c))['domain'];
    if (typeof domain !== 'string' || !domain.trim()) {
      throw refuse('SIM_BAD_REQUEST', 'domain is required: the application domain whose key the owner adds');
    }
    target.pairedDomains.add(originHost(domain));
    world.vehicleChanged(target.vin);
    return c.json({ vin: target.vin, paired_domains: [...target.pairedDomains] });
  });

  app.delete('/sim/vehicles/:vin/pair/:domain', (c) => {
    const target = vehicle(c);
    target.pairedDomains.delete(originHost(c.req.param('domain')));
    world.vehicleChanged(target.vin);
    return c.json({ vin: target.vin, paired_domains: [...target.pairedDomains] });
  });

  app.get('/sim/vehicles/:vin/stream', (c) => {
    const target = vehicle(c);
    if (!deps.streams) {
      throw refuse(
        'SIM_NOT_FOUND',
        'this simulator does not stream telemetry; gatehouse fleet simulate does',
      );
    }
    return c.json({ vin: target.vin, streams: deps.streams.streamsOf(target.vin) });
  });

  app.post('/sim/vehicles/:vin/certificate', async (c) => {
    const target = vehicle(c);
    return c.json(await deps.ca.issueVehicleCertificate(target.vin));
  });

  app.all('/sim/*', () => {
    throw refuse('SIM_NOT_FOUND', 'no such control endpoint; see GET /sim/state');
  });

  return app;
}
