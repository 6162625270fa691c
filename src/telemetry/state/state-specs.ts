import type { ExpiringSpec } from '../../store/expiring.ts';
import type { VehicleHistory, VehicleState } from './vehicle-state.ts';

/** Each vehicle's latest state, by VIN; a vehicle silent for the retention period drops out. */
export const VEHICLE_STATES: ExpiringSpec<VehicleState> = { name: 'telemetry-vehicles' };

/** Each vehicle's bounded history, by VIN, kept as long as its state. */
export const VEHICLE_HISTORIES: ExpiringSpec<VehicleHistory> = { name: 'telemetry-history' };
