import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import {
  connectVehicle,
  type TelemetryPki,
  TestSink,
  telemetryConfigFile,
  telemetryPki,
  vehicleDataFrame,
} from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const dir = tempDir('gatehouse-telemetry-unread-');

describe('a vehicle that never reads its acks is no longer read', () => {
  const sink = new TestSink('counted');
  let pki: TelemetryPki;
  let gh: TestGateway;
  before(async () => {
    pki = telemetryPki(dir);
    const config = telemetryConfigFile(
      dir,
      `telemetry:\n  port: 0\n  host: 127.0.0.1\n  cert: ${pki.server.cert}\n  key: ${pki.server.key}\n  ca: ${pki.ca}\n  records: { V: [counted] }\n`,
    );
    gh = await startTestGateway({ flags: { config }, telemetrySinks: { counted: () => sink } });
  });
  after(() => gh.stop());

  test('reading stops once its unsent acks pass the bound, and resumes when it reads them', async (t) => {
    // The receiver runs in this process: its WebSockets are this module's.
    const pauses = t.mock.method(WebSocket.prototype, 'pause');
    const resumes = t.mock.method(WebSocket.prototype, 'resume');
    const vin = '5YJ3E7EB0KF000777';
    const car = await connectVehicle(gh.gateway.telemetry!.port, pki.server.cert, pki.vehicle(vin));
    const socket = (car.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const frame = vehicleDataFrame({ txid: 'tx-unread', vin, fields: { Soc: 50 } });
    // Acks of some 40 bytes each: far more than every kernel buffer on the way, and the receiver's
    // bound, can hold.
    const cap = 600_000;
    let sent = 0;
    while (pauses.mock.callCount() === 0) {
      assert.ok(sent < cap, `still reading after ${sent} frames whose acks were never read`);
      for (let i = 0; i < 2_000; i++) car.ws.send(frame);
      sent += 2_000;
      await waitFor(
        'the frames to be taken, or reading to stop',
        () => (pauses.mock.callCount() > 0 || sink.written.length >= sent ? true : undefined),
        { timeoutMs: 30_000 },
      );
    }
    assert.ok(sink.written.length < sent, 'frames after the pause wait unread');
    const resumesBefore = resumes.mock.callCount();
    socket.resume();
    await waitFor(
      'reading to resume once the acks are read',
      () => resumes.mock.callCount() > resumesBefore,
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor('every frame taken', () => sink.written.length >= sent, { timeoutMs: 60_000 });
    car.ws.close();
  });
});
