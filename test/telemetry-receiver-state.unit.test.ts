import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { openStore } from '../src/store/open-store.ts';
import type { TelemetryRecord } from '../src/telemetry/records.ts';
import { appendHistory, applyRecord, emptyState } from '../src/telemetry/state/apply-record.ts';
import type { VehicleHistory } from '../src/telemetry/state/vehicle-state.ts';
import { VehicleStates } from '../src/telemetry/state/vehicle-states.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const settings = { historyPerVin: 3, historyIntervalMs: 5000, errorsKept: 2 };
const meta = { vin: 'VIN1', receivedAt: 1_000, txid: 'aa' };
const v = (createdAt: number, fields: Record<string, number | string | null>): TelemetryRecord => ({
  ...meta,
  type: 'V',
  createdAt,
  fields,
  isResend: false,
});
const connectivity = (status: 'CONNECTED' | 'DISCONNECTED', connectionId: string): TelemetryRecord => ({
  ...meta,
  type: 'connectivity',
  createdAt: 2_000,
  status,
  connectionId,
});

describe('vehicle state rules', () => {
  test('a resend of older data does not replace newer values', () => {
    let state = applyRecord(emptyState('VIN1', 0), v(2_000, { Soc: 80, Gear: 'ShiftStateD' }), settings);
    state = applyRecord(state, v(1_000, { Soc: 70, Odometer: 5 }), settings);
    assert.deepEqual(state.fields, { Soc: 80, Gear: 'ShiftStateD', Odometer: 5 });
    assert.deepEqual(state.fieldTimes, { Soc: 2_000, Gear: 2_000, Odometer: 1_000 });
  });

  test('an old connection closing after the vehicle reconnected leaves it connected', () => {
    let state = applyRecord(emptyState('VIN1', 0), connectivity('CONNECTED', 'a'), settings);
    state = applyRecord(state, connectivity('CONNECTED', 'b'), settings);
    state = applyRecord(state, connectivity('DISCONNECTED', 'a'), settings);
    assert.equal(state.status, 'CONNECTED');
    state = applyRecord(state, connectivity('DISCONNECTED', 'b'), settings);
    assert.equal(state.status, 'DISCONNECTED');
  });

  test('alerts stay while active and leave when ended; errors are bounded', () => {
    const alerts = (list: { name: string; endedAt?: number }[]): TelemetryRecord => ({
      ...meta,
      type: 'alerts',
      createdAt: 1,
      alerts: list.map((a) => ({ name: a.name, audiences: ['Customer'], startedAt: 1, endedAt: a.endedAt })),
    });
    let state = applyRecord(emptyState('VIN1', 0), alerts([{ name: 'A' }, { name: 'B' }]), settings);
    state = applyRecord(state, alerts([{ name: 'A', endedAt: 5 }]), settings);
    assert.deepEqual(
      state.alerts.map((a) => a.name),
      ['B'],
    );
    for (const name of ['e1', 'e2', 'e3'])
      state = applyRecord(
        state,
        { ...meta, type: 'errors', createdAt: 1, errors: [{ name, createdAt: 1, tags: {}, body: '' }] },
        settings,
      );
    assert.deepEqual(
      state.errors.map((e) => e.name),
      ['e2', 'e3'],
    );
  });

  test('history joins values within an interval and keeps the newest samples', () => {
    let history: VehicleHistory = { vin: 'VIN1', samples: [] };
    for (const [at, speed] of [
      [0, 1],
      [1_000, 2],
      [6_000, 3],
      [12_000, 4],
      [18_000, 5],
    ] as const)
      history = appendHistory(history, v(at, { VehicleSpeed: speed }), settings);
    assert.deepEqual(
      history.samples.map((s) => [s.at, s.fields['VehicleSpeed']]),
      [
        [6_000, 3],
        [12_000, 4],
        [18_000, 5],
      ],
    );
  });
});

describe('vehicle state in the store', () => {
  test('a new process merges what the store held under what it receives', async () => {
    const dir = tempDir('gatehouse-telemetry-state-');
    const clock = manualClock(Date.UTC(2026, 4, 1));
    const logger = createLogger('silent');
    const stateSettings = { ...settings, retentionMs: 86_400_000, flushMs: 10 };
    const first = await openStore({ dataDir: dir, clock });
    const before = new VehicleStates(first.ephemeral, stateSettings, logger);
    before.apply(v(1_000, { Soc: 80, Gear: 'ShiftStateP' }));
    await before.flushed();
    await before.stop();
    await first.close();

    const second = await openStore({ dataDir: dir, clock });
    const after = new VehicleStates(second.ephemeral, stateSettings, logger);
    after.apply(v(2_000, { Soc: 79 }));
    assert.deepEqual((await after.get('VIN1'))?.fields, { Soc: 79, Gear: 'ShiftStateP' });
    await after.flushed();
    await after.stop();
    const stored = await new VehicleStates(second.ephemeral, stateSettings, logger).get('VIN1');
    assert.deepEqual(stored?.fields, { Soc: 79, Gear: 'ShiftStateP' });
    assert.equal((await after.history('VIN1'))?.samples.length, 2, 'the stored sample and the new one');
    await second.close();
  });

  test('a history held back on the timer is still written once its interval is over', async () => {
    const dir = tempDir('gatehouse-telemetry-state-');
    const logger = createLogger('silent');
    const stateSettings = { ...settings, historyIntervalMs: 50, retentionMs: 86_400_000, flushMs: 5 };
    const store = await openStore({ dataDir: dir, clock: manualClock(Date.UTC(2026, 4, 1)) });
    const states = new VehicleStates(store.ephemeral, stateSettings, logger);
    const storedSamples = async () => (await store.ephemeral.get('telemetry-history', 'VIN1')) ?? '';
    states.apply(v(1_000, { Soc: 80 }));
    await waitFor('the first history write', async () => (await storedSamples()).includes('80'));
    // Within the interval of that write: the timer writes the state, the history follows later.
    states.apply(v(100_000, { Soc: 70 }));
    await waitFor('the held-back history', async () => (await storedSamples()).includes('70'));
    await states.stop();
    await store.close();
  });
});
