import { type FleetErrorCode, GatehouseError } from '../../core/errors.ts';

/** The codes of the live dashboard. */
export type DashboardErrorCode = Extract<FleetErrorCode, `FLEET_DASHBOARD_${string}`>;

/** Why the dashboard refused a page or a connection. */
export class DashboardError extends GatehouseError<DashboardErrorCode> {}
