import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock, systemClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { expiringCollection } from '../src/store/expiring.ts';
import { openStore } from '../src/store/open-store.ts';
import type { TelemetryRecord } from '../src/telemetry/records.ts';
import { appendHistory, applyRecord, emptyState } from '../src/telemetry/state/apply-record.ts';
import {
  holdReceiverLease,
  liveReceivers,
  RECEIVER_LEASE_MS,
  RECEIVER_LEASES,
} from '../src/telemetry/state/receiver-leases.ts';
import { VEHICLE_STATES } from '../src/telemetry/state/state-specs.ts';
import { storedVehicles } from '../src/telemetry/state/stored-vehicles.ts';
import type { VehicleHistory, VehicleStateReader } from '../src/telemetry/state/vehicle-state.ts';
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
    const before = new VehicleStates(first.ephemeral, stateSettings, logger, 'node-a');
    before.apply(v(1_000, { Soc: 80, Gear: 'ShiftStateP' }));
    await before.flushed();
    await before.stop();
    await first.close();

    const second = await openStore({ dataDir: dir, clock });
    const after = new VehicleStates(second.ephemeral, stateSettings, logger, 'node-a');
    after.apply(v(2_000, { Soc: 79 }));
    assert.deepEqual((await after.get('VIN1'))?.fields, { Soc: 79, Gear: 'ShiftStateP' });
    await after.flushed();
    await after.stop();
    const stored = await new VehicleStates(second.ephemeral, stateSettings, logger, 'node-a').get('VIN1');
    assert.deepEqual(stored?.fields, { Soc: 79, Gear: 'ShiftStateP' });
    assert.equal((await after.history('VIN1'))?.samples.length, 2, 'the stored sample and the new one');
    await second.close();
  });

  test('a history held back on the timer is still written once its interval is over', async () => {
    const dir = tempDir('gatehouse-telemetry-state-');
    const logger = createLogger('silent');
    const stateSettings = { ...settings, historyIntervalMs: 50, retentionMs: 86_400_000, flushMs: 5 };
    const store = await openStore({ dataDir: dir, clock: manualClock(Date.UTC(2026, 4, 1)) });
    const states = new VehicleStates(store.ephemeral, stateSettings, logger, 'node-a');
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

describe('CONNECTED holds only while a live receiver holds the connection', () => {
  const stateSettings = { ...settings, retentionMs: 86_400_000, flushMs: 10 };
  const logger = createLogger('silent');
  const connected = (vin: string, connectionId: string): TelemetryRecord => ({
    vin,
    receivedAt: 1_000,
    txid: '',
    type: 'connectivity',
    createdAt: 1_000,
    status: 'CONNECTED',
    connectionId,
  });
  const statuses = async (reader: VehicleStateReader) =>
    Object.fromEntries((await reader.list()).map((s) => [s.vin, s.status]));

  test('a receiver that died without a word: its vehicles read DISCONNECTED once its lease lapses, on every node', async () => {
    const clock = manualClock(Date.UTC(2026, 4, 1));
    const store = await openStore({ dataDir: tempDir('gatehouse-telemetry-lease-'), clock });
    const ephemeral = store.ephemeral;
    const leases = expiringCollection(ephemeral, RECEIVER_LEASES);
    // What a node killed with -9 leaves behind: its vehicles' CONNECTED, and its last lease.
    await leases.put('dead', { since: clock() }, RECEIVER_LEASE_MS);
    const dead = new VehicleStates(ephemeral, stateSettings, logger, 'dead');
    dead.apply(connected('VIN1', 'c1'));
    dead.apply(connected('VIN2', 'c2'));
    await dead.flushed();

    // The restarted receiver is a new node with a lease of its own; another node reads the store alone.
    await leases.put('restarted', { since: clock() }, RECEIVER_LEASE_MS);
    const restarted = new VehicleStates(ephemeral, stateSettings, logger, 'restarted');
    const elsewhere = storedVehicles(ephemeral);
    // VIN2 came back, to the restarted receiver.
    restarted.apply(connected('VIN2', 'c3'));
    await restarted.flushed();
    for (const reader of [restarted, elsewhere])
      assert.deepEqual(
        await statuses(reader),
        { VIN1: 'CONNECTED', VIN2: 'CONNECTED' },
        'the lease still runs',
      );

    clock.advance(RECEIVER_LEASE_MS + 1);
    // Meanwhile the living receiver renewed its lease; the dead one could not.
    await leases.put('restarted', { since: clock() }, RECEIVER_LEASE_MS);
    for (const reader of [restarted, elsewhere]) {
      assert.deepEqual(await statuses(reader), { VIN1: 'DISCONNECTED', VIN2: 'CONNECTED' });
      assert.equal((await reader.get('VIN1'))?.status, 'DISCONNECTED');
      assert.equal((await reader.get('VIN2'))?.status, 'CONNECTED');
    }
    // Should its lease not reach the store, the receiver still knows its own connections are held.
    await leases.delete('restarted');
    assert.equal((await restarted.get('VIN2'))?.status, 'CONNECTED');
    assert.equal((await elsewhere.get('VIN2'))?.status, 'DISCONNECTED');
    await restarted.stop();
    await dead.stop();
    await store.close();
  });

  test('a CONNECTED stored before states named their receiver reads DISCONNECTED', async () => {
    const store = await openStore({ dataDir: tempDir('gatehouse-telemetry-lease-') });
    const legacy = { ...emptyState('VIN9', 1_000), status: 'CONNECTED' as const, connectionId: 'old' };
    await expiringCollection(store.ephemeral, VEHICLE_STATES).put('VIN9', legacy, 86_400_000);
    assert.equal((await storedVehicles(store.ephemeral).get('VIN9'))?.status, 'DISCONNECTED');
    const receiver = new VehicleStates(store.ephemeral, stateSettings, logger, 'new');
    assert.deepEqual(await statuses(receiver), { VIN9: 'DISCONNECTED' });
    await receiver.stop();
    await store.close();
  });

  test('a receiver holds its lease while it runs and gives it up when it stops', async () => {
    const store = await openStore({ dataDir: tempDir('gatehouse-telemetry-lease-') });
    const lease = await holdReceiverLease(store.ephemeral, 'n1', { clock: systemClock, logger });
    assert.deepEqual([...(await liveReceivers(store.ephemeral))], ['n1']);
    await lease.stop();
    assert.deepEqual([...(await liveReceivers(store.ephemeral))], []);
    await store.close();
  });
});
