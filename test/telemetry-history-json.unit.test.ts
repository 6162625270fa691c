import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TelemetryRecord } from '../src/telemetry/records.ts';
import { appendHistory } from '../src/telemetry/state/apply-record.ts';
import { historyJson } from '../src/telemetry/state/state-specs.ts';
import type { VehicleHistory } from '../src/telemetry/state/vehicle-state.ts';

const settings = { historyPerVin: 3, historyIntervalMs: 5_000, errorsKept: 5 };

function v(createdAt: number, fields: Record<string, unknown>): TelemetryRecord {
  return {
    type: 'V',
    vin: '5YJ3E7EB0KF000001',
    createdAt,
    receivedAt: createdAt,
    txid: '',
    fields,
  } as TelemetryRecord;
}

test('a history is written as JSON.stringify writes it, however its samples came', () => {
  let history: VehicleHistory = { vin: '5YJ3E7EB0KF000001', samples: [] };
  const steps = [
    v(10_000, { Soc: 80, Gear: 'D' }),
    v(12_000, { Soc: 79 }), // joins the first sample
    v(30_000, { Location: { latitude: 37.4, longitude: -122.1 } }),
    v(20_000, { Soc: 'late "quoted" \u2028' }), // older: inserted before the last
    v(40_000, { Odometer: 1.5e3 }), // beyond historyPerVin: the oldest leaves
  ];
  for (const record of steps) {
    history = appendHistory(history, record, settings);
    assert.equal(historyJson(history), JSON.stringify(history));
    // Twice, so the second comes from the samples' cached JSON.
    assert.equal(historyJson(history), JSON.stringify(history));
  }
  assert.deepEqual(
    history.samples.map((s) => s.at),
    [20_000, 30_000, 40_000],
  );
});
