import { expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import { heldConnection, liveReceivers } from './receiver-leases.ts';
import { VEHICLE_HISTORIES, VEHICLE_STATES } from './state-specs.ts';
import type { VehicleStateReader } from './vehicle-state.ts';

/**
 * Vehicle state as the store holds it: what any node's receiver last flushed, `CONNECTED` only
 * where that receiver is still alive (a node that died left its vehicles' last word behind).
 */
export function storedVehicles(ephemeral: EphemeralRepository): VehicleStateReader {
  const states = expiringCollection(ephemeral, VEHICLE_STATES);
  const histories = expiringCollection(ephemeral, VEHICLE_HISTORIES);
  return {
    list: async () => {
      const [entries, live] = await Promise.all([states.list(), liveReceivers(ephemeral)]);
      return entries
        .map((entry) => heldConnection(entry.record, live))
        .sort((a, b) => a.vin.localeCompare(b.vin));
    },
    get: async (vin) => {
      const [state, live] = await Promise.all([states.get(vin), liveReceivers(ephemeral)]);
      return state && heldConnection(state, live);
    },
    history: (vin) => histories.get(vin),
  };
}
