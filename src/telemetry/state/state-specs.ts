import type { ExpiringSpec } from '../../store/expiring.ts';
import type { HistorySample, VehicleHistory, VehicleState } from './vehicle-state.ts';

/** Each vehicle's latest state, by VIN; a vehicle silent for the retention period drops out. */
export const VEHICLE_STATES: ExpiringSpec<VehicleState> = { name: 'telemetry-vehicles' };

/** Each sample's JSON, made once: samples never change, and a history is rewritten every flush. */
const sampleJson = new WeakMap<HistorySample, string>();

/** A history as `JSON.stringify` writes it, from the samples' cached JSON. */
export function historyJson(history: VehicleHistory): string {
  const parts = history.samples.map((sample) => {
    let json = sampleJson.get(sample);
    if (json === undefined) {
      json = JSON.stringify(sample);
      sampleJson.set(sample, json);
    }
    return json;
  });
  return `{"vin":${JSON.stringify(history.vin)},"samples":[${parts.join(',')}]}`;
}

/** Each vehicle's bounded history, by VIN, kept as long as its state. */
export const VEHICLE_HISTORIES: ExpiringSpec<VehicleHistory> = {
  name: 'telemetry-history',
  serialize: historyJson,
};
