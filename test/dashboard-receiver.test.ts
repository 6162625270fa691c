import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectDashboard } from './helpers/dashboard-client.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { connectVehicle, telemetryPki, vehicleDataFrame } from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const TOKEN = 'dashboard-shared-token-0123456789';
const VIN = '5YJ3E7EB0KF000007';

describe("the dashboard shows the receiver's records", () => {
  const dir = tempDir('gatehouse-dashboard-receiver-');
  let gh: TestGateway;
  let pki: ReturnType<typeof telemetryPki>;

  before(async () => {
    pki = telemetryPki(dir);
    gh = await startTestGateway({
      env: { DASHBOARD_TOKEN: TOKEN },
      flags: {
        'telemetry-port': '0',
        'telemetry-host': '127.0.0.1',
        'telemetry-cert': pki.server.cert,
        'telemetry-key': pki.server.key,
        'telemetry-ca': pki.ca,
      },
    });
  });
  after(() => gh?.stop());

  test('a vehicle streaming over mTLS appears on a dashboard connected to the admin host', async () => {
    const dashboard = await connectDashboard(`ws://127.0.0.1:${gh.port}/fleet/dashboard/ws?token=${TOKEN}`);
    assert.deepEqual(await dashboard.next(), { type: 'snapshot', vehicles: [] });
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(VIN));
    const hello = await dashboard.next();
    assert.equal(hello.type, 'connectivity');
    assert.equal(hello.vin, VIN);
    assert.equal(hello.status, 'CONNECTED');
    const createdAt = Date.UTC(2026, 4, 1, 12, 0, 0);
    // The payload names another VIN: the certificate's wins, on the dashboard too.
    car.ws.send(
      vehicleDataFrame({
        txid: 'tx-dash-1',
        vin: '5YJ3E7EB0KF999999',
        createdAt,
        fields: { VehicleSpeed: 61.5, Gear: 'ShiftStateD', Location: { latitude: 37.5, longitude: -122.25 } },
      }),
    );
    assert.deepEqual(await dashboard.next(), {
      type: 'V',
      vin: VIN,
      createdAt,
      fields: { VehicleSpeed: 61.5, Gear: 'ShiftStateD', Location: { latitude: 37.5, longitude: -122.25 } },
    });
    await car.close();
    const gone = await dashboard.next();
    assert.equal(gone.type, 'connectivity');
    assert.equal(gone.vin, VIN);
    assert.equal(gone.status, 'DISCONNECTED');
    dashboard.ws.close();
    await dashboard.closed;
  });
});
