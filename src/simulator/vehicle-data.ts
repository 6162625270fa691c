import { createHash } from 'node:crypto';
import type { Region } from './seed.ts';

/**
 * Live data of a simulated vehicle: pure, from the clock alone. Each vehicle repeats a two-hour
 * cycle, its own phase apart: an hour driving a loop around a city (the battery falls from 80 % to
 * 62 %), then an hour parked and charging back to its 80 % limit. Its odometer starts where its
 * VIN puts it when the simulator starts, and grows by the loops driven since.
 */

/** The `endpoints` Tesla accepts on vehicle_data. */
export const VEHICLE_DATA_ENDPOINTS = [
  'charge_state',
  'climate_state',
  'closures_state',
  'drive_state',
  'gui_settings',
  'location_data',
  'charge_schedule_data',
  'preconditioning_schedule_data',
  'vehicle_config',
  'vehicle_state',
  'vehicle_data_combo',
] as const;

/** What vehicle_data answers when no `endpoints` are named. */
export const DEFAULT_ENDPOINTS = [
  'charge_state',
  'climate_state',
  'drive_state',
  'gui_settings',
  'vehicle_config',
  'vehicle_state',
];

const CYCLE_MS = 2 * 3600_000;
const CENTERS: Readonly<Record<Region, readonly [number, number]>> = {
  na: [37.4419, -122.143],
  eu: [52.52, 13.405],
  cn: [31.2304, 121.4737],
};
const LOOP_RADIUS_DEG = 0.02;
const FULL_RANGE_MILES = 310;
/** Miles of one loop, driven in the cycle's driving hour. */
const LOOP_MILES = 22;
/** Odometer readings at the simulator's start lie in this range (miles). */
const FIRST_ODOMETER_MILES = 2_000;
const ODOMETER_SPREAD_MILES = 38_000;

/** Which vehicle, for its motion; `startedAt` is when the simulator started (clock ms). */
export interface MotionSource {
  readonly vin: string;
  readonly index: number;
  readonly region: Region;
  readonly startedAt: number;
}

/** Which vehicle, where, at what time. */
export interface VehicleDataInput extends MotionSource {
  readonly displayName: string;
  readonly firmware: string;
  readonly now: number;
  /** The names asked for (`endpoints=a;b`), already checked. */
  readonly endpoints: readonly string[];
  /** Whether the token holds `vehicle_location`. */
  readonly locationAllowed: boolean;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/** The model, as vehicle_config's `car_type` names it, from the VIN's fourth letter. */
export function carType(vin: string): string {
  return (
    ({ S: 'models', X: 'modelx', Y: 'modely', '3': 'model3' } as Record<string, string>)[vin[3] ?? ''] ??
    'model3'
  );
}

/** Where a vehicle is in its cycle at a time: what both vehicle_data and the telemetry stream show. */
export interface VehicleMotion {
  readonly driving: boolean;
  readonly charging: boolean;
  /** State of charge, %, unrounded. */
  readonly battery: number;
  /** mph while driving, else null. */
  readonly speed: number | null;
  /** kW drawn (negative while charging). */
  readonly power: number;
  readonly latitude: number;
  readonly longitude: number;
  /** Degrees, 0 = north. */
  readonly heading: number;
  /** Miles. */
  readonly odometer: number;
  /** Rated range, miles. */
  readonly range: number;
  readonly insideTemp: number;
  readonly outsideTemp: number;
}

/** Where a vehicle's odometer stands when the simulator starts: the same for a VIN on every run. */
export function startingOdometer(vin: string): number {
  const share = createHash('sha256').update(`odometer:${vin}`).digest().readUInt32BE() / 2 ** 32;
  return round(FIRST_ODOMETER_MILES + share * ODOMETER_SPREAD_MILES, 1);
}

/** The vehicle's time in its cycle: its phase (0 to 1) and how many cycles it has completed. */
function cycleAt(index: number, now: number): { readonly phase: number; readonly cycles: number } {
  const shifted = now + index * (CYCLE_MS / 4);
  const cycles = Math.floor(shifted / CYCLE_MS);
  return { phase: (shifted - cycles * CYCLE_MS) / CYCLE_MS, cycles };
}

/** Loop miles driven from the epoch to `now`: a count that only grows, and only while driving. */
function milesDriven(index: number, now: number): number {
  const { phase, cycles } = cycleAt(index, now);
  return cycles * LOOP_MILES + (phase < 0.5 ? 2 * LOOP_MILES * phase : LOOP_MILES);
}

/** The vehicle's motion at `now`: pure, from who it is, when the simulator started and the time. */
export function vehicleMotion(vehicle: MotionSource, now: number): VehicleMotion {
  const { phase } = cycleAt(vehicle.index, now);
  const driving = phase < 0.5;
  const battery = driving ? 80 - 36 * phase : Math.min(80, 62 + 36 * (phase - 0.5));
  const charging = !driving && battery < 80;
  const angle = driving ? phase * 2 * 2 * Math.PI : 0;
  const [lat, lon] = CENTERS[vehicle.region];
  const driven = milesDriven(vehicle.index, now) - milesDriven(vehicle.index, vehicle.startedAt);
  return {
    driving,
    charging,
    battery,
    speed: driving ? round(35 + 8 * Math.sin(angle * 3)) : null,
    power: driving ? round(12 + 6 * Math.sin(angle * 5)) : charging ? -11 : 0,
    latitude: round(lat + LOOP_RADIUS_DEG * Math.sin(angle), 6),
    longitude: round(lon + LOOP_RADIUS_DEG * Math.cos(angle), 6),
    heading: Math.round((((90 - (angle * 180) / Math.PI) % 360) + 360) % 360),
    odometer: round(startingOdometer(vehicle.vin) + Math.max(0, driven), 3),
    range: round((battery / 100) * FULL_RANGE_MILES, 2),
    insideTemp: round(21 + Math.sin(now / 600_000), 1),
    outsideTemp: round(14 + 6 * Math.sin((now / 86_400_000) * 2 * Math.PI), 1),
  };
}

/** The data blocks for the endpoints asked for. */
export function vehicleData(input: VehicleDataInput): Record<string, unknown> {
  const { now, region } = input;
  const timestamp = now;
  const motion = vehicleMotion(input, now);
  const { driving, battery, charging, speed, odometer, range } = motion;
  const metric = region !== 'na';
  const wanted = new Set(
    input.endpoints.includes('vehicle_data_combo') ? DEFAULT_ENDPOINTS : input.endpoints,
  );
  const out: Record<string, unknown> = {};

  if (wanted.has('charge_state')) {
    out['charge_state'] = {
      battery_level: Math.floor(battery),
      usable_battery_level: Math.floor(battery),
      battery_range: range,
      est_battery_range: round(range * 0.93, 2),
      ideal_battery_range: range,
      charge_limit_soc: 80,
      charging_state: charging ? 'Charging' : driving ? 'Disconnected' : 'Complete',
      charge_rate: charging ? 34.5 : 0,
      charger_power: charging ? 11 : 0,
      charger_voltage: charging ? 240 : 0,
      charger_actual_current: charging ? 32 : 0,
      charge_port_door_open: !driving,
      charge_energy_added: driving ? 0 : round(((battery - 62) / 100) * 75, 2),
      minutes_to_full_charge: charging ? Math.ceil(((80 - battery) / 36) * 60) : 0,
      time_to_full_charge: charging ? round((80 - battery) / 36, 2) : 0,
      conn_charge_cable: driving ? '<invalid>' : metric ? 'IEC' : 'SAE',
      fast_charger_present: false,
      timestamp,
    };
  }
  if (wanted.has('climate_state')) {
    out['climate_state'] = {
      inside_temp: motion.insideTemp,
      outside_temp: motion.outsideTemp,
      driver_temp_setting: 21,
      passenger_temp_setting: 21,
      is_climate_on: driving,
      is_preconditioning: false,
      fan_status: driving ? 3 : 0,
      timestamp,
    };
  }
  if (wanted.has('drive_state') || wanted.has('location_data')) {
    const drive: Record<string, unknown> = {
      shift_state: driving ? 'D' : 'P',
      speed,
      power: motion.power,
      timestamp,
    };
    // Since 2023.38 the location comes only with location_data, and only to apps allowed to see it.
    if (wanted.has('location_data') && input.locationAllowed) {
      const { latitude, longitude, heading } = motion;
      Object.assign(drive, {
        latitude,
        longitude,
        heading,
        gps_as_of: Math.floor(now / 1000),
        native_latitude: latitude,
        native_longitude: longitude,
        native_location_supported: 1,
        native_type: 'wgs',
      });
    }
    out['drive_state'] = drive;
  }
  if (wanted.has('gui_settings')) {
    out['gui_settings'] = {
      gui_distance_units: metric ? 'km/hr' : 'mi/hr',
      gui_temperature_units: metric ? 'C' : 'F',
      gui_charge_rate_units: metric ? 'km/hr' : 'mi/hr',
      gui_24_hour_time: metric,
      gui_range_display: 'Rated',
      timestamp,
    };
  }
  if (wanted.has('vehicle_config')) {
    out['vehicle_config'] = {
      car_type: carType(input.vin),
      trim_badging: '74d',
      wheel_type: 'Pinwheel18CapKit',
      exterior_color: 'DeepBlue',
      can_accept_navigation_requests: true,
      timestamp,
    };
  }
  if (wanted.has('vehicle_state') || wanted.has('closures_state')) {
    out['vehicle_state'] = {
      api_version: 81,
      car_version: `${input.firmware} 0a1b2c3d4e5f`,
      vehicle_name: input.displayName,
      locked: !driving,
      odometer,
      sentry_mode: !driving,
      is_user_present: driving,
      df: 0,
      dr: 0,
      pf: 0,
      pr: 0,
      ft: 0,
      rt: 0,
      fd_window: 0,
      fp_window: 0,
      rd_window: 0,
      rp_window: 0,
      timestamp,
    };
  }
  if (wanted.has('charge_schedule_data')) {
    out['charge_schedule_data'] = { charge_schedules: [], charge_buffer: 5, max_num_charge_schedules: 500 };
  }
  if (wanted.has('preconditioning_schedule_data')) {
    out['preconditioning_schedule_data'] = {
      preconditioning_schedules: [],
      max_num_precondition_schedules: 500,
    };
  }
  return out;
}
