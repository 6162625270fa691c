import type { TelemetryRecord, VehicleAlert } from '../records.ts';
import type { HistorySample, VehicleHistory, VehicleState } from './vehicle-state.ts';

/** How much of the past is kept per vehicle. */
export interface RetentionSettings {
  /** Samples kept in a vehicle's history. */
  readonly historyPerVin: number;
  /** Values within this many ms of a sample's start join that sample. */
  readonly historyIntervalMs: number;
  /** Recent errors kept in a vehicle's state. */
  readonly errorsKept: number;
}

/** A vehicle nothing is known of yet. */
export function emptyState(vin: string, at: number): VehicleState {
  return { vin, status: 'UNKNOWN', lastSeenAt: at, fields: {}, fieldTimes: {}, alerts: [], errors: [] };
}

/** The state after `record`: pure, so the rules (older values never win) are tested alone. */
export function applyRecord(
  state: VehicleState,
  record: TelemetryRecord,
  settings: RetentionSettings,
): VehicleState {
  const seen = { ...state, lastSeenAt: Math.max(state.lastSeenAt, record.receivedAt) };
  switch (record.type) {
    case 'V': {
      const fields = { ...state.fields };
      const fieldTimes = { ...state.fieldTimes };
      for (const [name, value] of Object.entries(record.fields)) {
        // A resend of older data must not replace what the vehicle said since.
        if ((fieldTimes[name] ?? Number.NEGATIVE_INFINITY) > record.createdAt) continue;
        fields[name] = value;
        fieldTimes[name] = record.createdAt;
      }
      return { ...seen, fields, fieldTimes };
    }
    case 'alerts':
      return { ...seen, alerts: activeAlerts(state.alerts, record.alerts) };
    case 'errors':
      return { ...seen, errors: [...state.errors, ...record.errors].slice(-settings.errorsKept) };
    case 'connectivity': {
      // A vehicle may reconnect before its old connection is seen closing: the old one's end
      // does not make the new one disconnected.
      if (record.status === 'DISCONNECTED' && state.connectionId !== undefined) {
        if (state.connectionId !== record.connectionId) return seen;
      }
      return {
        ...seen,
        status: record.status,
        connectionId: record.connectionId,
        networkInterface: record.networkInterface,
        deviceClientVersion: record.deviceClientVersion,
        statusChangedAt: record.createdAt,
      };
    }
  }
}

/** Alerts still active once `incoming` is applied: ended ones leave, new and ongoing ones stay. */
function activeAlerts(current: readonly VehicleAlert[], incoming: readonly VehicleAlert[]): VehicleAlert[] {
  const byName = new Map(current.map((a) => [a.name, a]));
  for (const alert of incoming) {
    if (alert.endedAt === undefined) byName.set(alert.name, alert);
    else byName.delete(alert.name);
  }
  return [...byName.values()];
}

/** The history after a `V` record: values join the last sample within the interval, else start one. */
export function appendHistory(
  history: VehicleHistory,
  record: TelemetryRecord,
  settings: RetentionSettings,
): VehicleHistory {
  if (record.type !== 'V' || Object.keys(record.fields).length === 0) return history;
  // One copy of the samples per record, and an insertion where a sort was: this runs per message.
  const samples = history.samples.slice();
  const last = samples.at(-1);
  if (last && record.createdAt >= last.at && record.createdAt - last.at < settings.historyIntervalMs) {
    const merged: HistorySample = { at: last.at, fields: { ...last.fields, ...record.fields } };
    samples[samples.length - 1] = merged;
    return { vin: history.vin, samples };
  }
  // After any sample of the same time, as the stable sort this replaces put it.
  let at = samples.length;
  while (at > 0 && samples[at - 1]!.at > record.createdAt) at--;
  samples.splice(at, 0, { at: record.createdAt, fields: { ...record.fields } });
  const excess = samples.length - settings.historyPerVin;
  // historyPerVin 0 keeps every sample, as slice(-0) did.
  if (settings.historyPerVin > 0 && excess > 0) samples.splice(0, excess);
  return { vin: history.vin, samples };
}

/**
 * What was stored before this process saw the vehicle, under what it has seen since: memory is
 * newer, field by field.
 */
export function mergeStored(
  stored: VehicleState,
  memory: VehicleState,
  storedHistory: VehicleHistory | undefined,
  memoryHistory: VehicleHistory,
  settings: RetentionSettings,
): { state: VehicleState; history: VehicleHistory } {
  const fields = { ...stored.fields };
  const fieldTimes = { ...stored.fieldTimes };
  for (const [name, value] of Object.entries(memory.fields)) {
    const at = memory.fieldTimes[name] ?? 0;
    if ((fieldTimes[name] ?? Number.NEGATIVE_INFINITY) > at) continue;
    fields[name] = value;
    fieldTimes[name] = at;
  }
  const fromMemory = memory.status !== 'UNKNOWN';
  const state: VehicleState = {
    ...(fromMemory ? memory : stored),
    vin: memory.vin,
    lastSeenAt: Math.max(stored.lastSeenAt, memory.lastSeenAt),
    fields,
    fieldTimes,
    alerts: memory.alerts.length > 0 || fromMemory ? memory.alerts : stored.alerts,
    errors: [...stored.errors, ...memory.errors].slice(-settings.errorsKept),
  };
  const samples = [...(storedHistory?.samples ?? []), ...memoryHistory.samples]
    .sort((a, b) => a.at - b.at)
    .slice(-settings.historyPerVin);
  return { state, history: { vin: memory.vin, samples } };
}
