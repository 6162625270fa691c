import type { TeslaErrorCode } from '../../core/errors.ts';
import type { FleetApi } from '../api/fleet-api.ts';
import type { VehicleData, VehicleSummary } from '../api/fleet-types.ts';
import { TeslaApiError } from '../api/tesla-error.ts';

/** One vehicle as a person wants to see it; a field is absent when Tesla did not say. */
export interface VehicleLine {
  readonly name: string;
  readonly vin: string;
  /** `online`, `asleep` or `offline`, as Tesla lists it. */
  readonly state: string;
  readonly batteryLevel?: number;
  readonly rangeMiles?: number;
  readonly chargingState?: string;
  readonly insideTempC?: number;
  readonly outsideTempC?: number;
  readonly location?: { readonly latitude: number; readonly longitude: number };
  readonly odometerMiles?: number;
  readonly firmware?: string;
  readonly locked?: boolean;
  /** Why there are no details: the vehicle sleeps, or Tesla could not reach it. */
  readonly note?: string;
  /** What Tesla answered for this vehicle's data, when that failed. */
  readonly problem?: { readonly code: TeslaErrorCode; readonly message: string };
}

/** The report of one login: the account's vehicles, when it was made. */
export interface VehicleReport {
  readonly generatedAt: string;
  readonly vehicles: readonly VehicleLine[];
}

/** What the report asks `vehicle_data` for; location needs `location_data` since firmware 2023.38. */
export const REPORT_ENDPOINTS = [
  'charge_state',
  'climate_state',
  'drive_state',
  'location_data',
  'vehicle_state',
  'vehicle_config',
] as const;

/** Failures that concern one vehicle; any other (the token, scopes, region, rate) fails the report. */
const PER_VEHICLE: ReadonlySet<TeslaErrorCode> = new Set([
  'FLEET_VEHICLE_OFFLINE',
  'FLEET_NOT_FOUND',
  'FLEET_REQUEST_REJECTED',
  'FLEET_UNAVAILABLE',
]);

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Leaves out fields without a value, so the JSON shows only what Tesla said. */
function defined(value: { [K in keyof VehicleLine]: VehicleLine[K] | undefined }): VehicleLine {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as unknown as VehicleLine;
}

/** A vehicle's line from its list entry and, for an online one, its data; pure. */
export function vehicleLine(summary: VehicleSummary, data?: VehicleData): VehicleLine {
  const charge = data?.charge_state ?? {};
  const climate = data?.climate_state ?? {};
  const drive = data?.drive_state ?? {};
  const vehicle = data?.vehicle_state ?? {};
  const latitude = num(drive['latitude']) ?? num(drive['active_route_latitude']);
  const longitude = num(drive['longitude']) ?? num(drive['active_route_longitude']);
  return defined({
    name: str(summary.display_name) ?? str(vehicle['vehicle_name']) ?? summary.vin,
    vin: summary.vin,
    state: data?.state ?? summary.state,
    batteryLevel: num(charge['battery_level']),
    rangeMiles: num(charge['battery_range']),
    chargingState: str(charge['charging_state']),
    insideTempC: num(climate['inside_temp']),
    outsideTempC: num(climate['outside_temp']),
    location: latitude !== undefined && longitude !== undefined ? { latitude, longitude } : undefined,
    odometerMiles: num(vehicle['odometer']),
    firmware: str(vehicle['car_version']),
    locked: typeof vehicle['locked'] === 'boolean' ? vehicle['locked'] : undefined,
    note:
      summary.state === 'online'
        ? undefined
        : `${summary.state}: details appear once the vehicle is online (the report does not wake it)`,
  });
}

/** The account's vehicles and, for each online one, its data; Tesla's failures as {@link TeslaApiError}s. */
export async function buildReport(
  api: Pick<FleetApi, 'vehicles' | 'vehicleData'>,
  now: () => Date,
): Promise<VehicleReport> {
  const vehicles = await api.vehicles();
  const lines = await Promise.all(
    vehicles.map(async (summary): Promise<VehicleLine> => {
      if (summary.state !== 'online') return vehicleLine(summary);
      try {
        return vehicleLine(summary, await api.vehicleData(summary.vin, REPORT_ENDPOINTS));
      } catch (error) {
        if (!(error instanceof TeslaApiError) || !PER_VEHICLE.has(error.code)) throw error;
        return { ...vehicleLine(summary), problem: { code: error.code, message: error.message } };
      }
    }),
  );
  return { generatedAt: now().toISOString(), vehicles: lines };
}
