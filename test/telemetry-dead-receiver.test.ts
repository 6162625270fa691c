import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { expiringCollection } from '../src/store/expiring.ts';
import { emptyState } from '../src/telemetry/state/apply-record.ts';
import { RECEIVER_LEASE_MS, RECEIVER_LEASES } from '../src/telemetry/state/receiver-leases.ts';
import { VEHICLE_STATES } from '../src/telemetry/state/state-specs.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { connectVehicle, telemetryPki } from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const DEAD = '5YJ3E7EB0KF000701';
const LEGACY = '5YJ3E7EB0KF000702';
const LIVE = '5YJ3E7EB0KF000703';

test('vehicles whose receiver died (kill -9) read DISCONNECTED in the admin API and the dashboard of a restarted one', async () => {
  const dir = tempDir('gatehouse-telemetry-dead-');
  const pki = telemetryPki(dir);
  const clock = manualClock(Date.UTC(2026, 4, 1));
  const gh = await startTestGateway({
    clock,
    flags: {
      'telemetry-port': '0',
      'telemetry-host': '127.0.0.1',
      'telemetry-cert': pki.server.cert,
      'telemetry-key': pki.server.key,
      'telemetry-ca': pki.ca,
    },
  });
  try {
    const ephemeral = gh.gateway.store.ephemeral;
    const states = expiringCollection(ephemeral, VEHICLE_STATES);
    const connected = (vin: string, receiver?: string) => ({
      ...emptyState(vin, clock()),
      status: 'CONNECTED' as const,
      connectionId: `conn-${vin}`,
      ...(receiver ? { receiver } : {}),
    });
    // What the killed process left in the store: a CONNECTED of its own, and its last lease;
    // and one from before states named their receiver, as the probe found after its restart.
    await states.put(DEAD, connected(DEAD, 'killed-node'), 86_400_000);
    await expiringCollection(ephemeral, RECEIVER_LEASES).put(
      'killed-node',
      { since: clock() },
      RECEIVER_LEASE_MS,
    );
    await states.put(LEGACY, connected(LEGACY), 86_400_000);
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(LIVE));

    const adminView = async () => {
      const res = await gh.api('GET', '/api/v1/fleet/vehicles/');
      assert.equal(res.status, 200);
      return Object.fromEntries(
        res.body.vehicles.map((v: { vin: string; status: string }) => [v.vin, v.status]),
      );
    };
    const dashboardView = async () =>
      Object.fromEntries((await gh.gateway.telemetry!.hub.snapshot()).map((v) => [v.vin, v.status]));

    await waitFor('the live vehicle in the admin API', async () => (await adminView())[LIVE] === 'CONNECTED');
    // Within the lease the killed node may as well be a live one elsewhere.
    const withinLease = { [DEAD]: 'CONNECTED', [LEGACY]: 'DISCONNECTED', [LIVE]: 'CONNECTED' };
    assert.deepEqual(await adminView(), withinLease);
    assert.deepEqual(await dashboardView(), withinLease);

    clock.advance(RECEIVER_LEASE_MS + 1);
    const lapsed = { [DEAD]: 'DISCONNECTED', [LEGACY]: 'DISCONNECTED', [LIVE]: 'CONNECTED' };
    assert.deepEqual(await adminView(), lapsed);
    assert.deepEqual(await dashboardView(), lapsed);
    const one = await gh.api('GET', `/api/v1/fleet/vehicles/${DEAD}`);
    assert.equal(one.body.status, 'DISCONNECTED');
    await car.close();
  } finally {
    await gh.stop();
  }
});
