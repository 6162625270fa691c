import { Hono } from 'hono';
import { GatehouseError } from '../core/errors.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';
import { AdminError } from './errors.ts';

/** What a VIN in a path may be: a certificate CN with `.` made `-`. */
const VIN = /^[A-Za-z0-9-]{1,64}$/;

/** `/api/v1/fleet/vehicles`: what the telemetry receiver knows of each vehicle. */
export function vehiclesApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => c.json({ vehicles: await deps.vehicles.list() }));

  app.get('/:vin', async (c) => {
    const vin = c.req.param('vin');
    if (!VIN.test(vin))
      throw new AdminError('VALIDATION_FAILED', 'a VIN is 1 to 64 letters, digits or dashes', {
        field: 'vin',
      });
    const state = await deps.vehicles.get(vin);
    if (!state)
      throw new GatehouseError(
        'FLEET_VEHICLE_UNKNOWN',
        `no telemetry from ${vin} yet: it appears once the vehicle connects to the receiver`,
        { field: 'vin' },
      );
    const history = await deps.vehicles.history(vin);
    return c.json({ ...state, history: history?.samples ?? [] });
  });

  return app;
}
