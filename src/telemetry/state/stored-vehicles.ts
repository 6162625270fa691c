import { expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import { VEHICLE_HISTORIES, VEHICLE_STATES } from './state-specs.ts';
import type { VehicleStateReader } from './vehicle-state.ts';

/** Vehicle state as the store holds it: what any node's receiver last flushed. */
export function storedVehicles(ephemeral: EphemeralRepository): VehicleStateReader {
  const states = expiringCollection(ephemeral, VEHICLE_STATES);
  const histories = expiringCollection(ephemeral, VEHICLE_HISTORIES);
  return {
    list: async () =>
      (await states.list()).map((entry) => entry.record).sort((a, b) => a.vin.localeCompare(b.vin)),
    get: (vin) => states.get(vin),
    history: (vin) => histories.get(vin),
  };
}
