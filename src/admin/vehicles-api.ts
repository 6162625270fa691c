import { Hono } from 'hono';
import type { AdminService } from './admin-service.ts';
import type { AdminEnv } from './deps.ts';

/** `/api/v1/fleet/vehicles`: what the telemetry receiver knows of each vehicle. */
export function vehiclesApi(service: AdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/', async (c) => c.json({ vehicles: await service.listVehicles() }));
  app.get('/:vin', async (c) => c.json(await service.vehicle(c.req.param('vin'))));
  return app;
}
