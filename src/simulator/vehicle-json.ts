import type { SimVehicle, World } from './world.ts';

/** A vehicle as `GET /api/1/vehicles` lists it. */
export function vehicleJson(world: World, vehicle: SimVehicle): Record<string, unknown> {
  return {
    id: vehicle.id,
    vehicle_id: vehicle.vehicleId,
    vin: vehicle.vin,
    color: null,
    access_type: 'OWNER',
    display_name: vehicle.displayName,
    option_codes: null,
    granular_access: { hide_private: false },
    tokens: vehicle.tokens,
    state: world.stateOf(vehicle),
    in_service: false,
    id_s: String(vehicle.id),
    calendar_enabled: true,
    api_version: 81,
    backseat_token: null,
    backseat_token_updated_at: null,
  };
}

/** Tesla's pagination block for `count` items, `perPage` a page, on page `page` (1-based). */
export function pagination(count: number, page: number, perPage: number): Record<string, number | null> {
  const pages = Math.max(1, Math.ceil(count / perPage));
  return {
    previous: page > 1 ? page - 1 : null,
    next: page < pages ? page + 1 : null,
    current: page,
    per_page: perPage,
    count,
    pages,
  };
}

/** Compares firmware versions like `2024.26.5`; negative when `a` is older. */
export function compareFirmware(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The oldest firmware that takes signed telemetry configurations. */
export const SIGNED_TELEMETRY_FIRMWARE = '2024.26';
