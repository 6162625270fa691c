import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadVehicleCa } from '../src/simulator/vehicle-ca.ts';
import { fleet, partnerToken } from './helpers/fleet-simulator.ts';
import { startTestTelemetryServer } from './helpers/mtls-telemetry-server.ts';
import { type StreamingSetup, startStreamingSetup, TELEMETRY_HOST } from './helpers/streaming-simulator.ts';
import { waitFor } from './helpers/wait-for.ts';

const VIN = '5YJ3E7EB2NF000201';
const WRONG_CA_VIN = '5YJ3E7EB2NF000202';

const setup: StreamingSetup = await startStreamingSetup([VIN, WRONG_CA_VIN], {
  alertsPerHour: 60,
  errorsPerHour: 60,
  ackTimeoutMs: 10_000,
  minBackoffMs: 1_000,
  maxBackoffMs: 4_000,
});
const { sim, vehicles } = setup;

async function telemetryErrors(): Promise<Record<string, unknown>[]> {
  const res = await fleet(
    sim,
    await partnerToken(sim),
    'GET',
    '/api/1/partner_accounts/fleet_telemetry_errors',
  );
  return (res.body['response'] as { fleet_telemetry_errors: Record<string, unknown>[] })
    .fleet_telemetry_errors;
}

describe('streams that go wrong, and incidents', () => {
  test('a ca that does not hold the server certificate: no connection, and a telemetry error', async () => {
    const otherCa = await loadVehicleCa(undefined, sim.clock);
    await setup.configure([WRONG_CA_VIN], { ca: otherCa.certPem, fields: { VehicleSpeed: 1 } });
    vehicles.tick();
    const errors = await waitFor('the error in fleet_telemetry_errors', async () => {
      const mine = (await telemetryErrors()).filter((e) => e['vin'] === WRONG_CA_VIN);
      return mine.length > 0 ? mine : undefined;
    });
    assert.equal(errors.length, 1);
    assert.equal(
      errors[0]!['error'],
      'tls: failed to verify certificate: x509: certificate signed by unknown authority',
    );
    assert.equal(errors[0]!['name'], 'gatehouse-sim-client');
    assert.equal(errors[0]!['error_name'], 'client_connection_error');
    assert.equal(setup.server.connections.filter((c) => c.commonName === WRONG_CA_VIN).length, 0);

    // It keeps trying, with backoff, and the error is listed once, not once per attempt.
    setup.advance(5_000);
    await waitFor('a second attempt', () => setup.stream(WRONG_CA_VIN)?.['status'] === 'waiting');
    assert.equal((await telemetryErrors()).filter((e) => e['vin'] === WRONG_CA_VIN).length, 1);
    assert.equal(setup.server.connections.filter((c) => c.commonName === WRONG_CA_VIN).length, 0);
    await setup.unconfigure(WRONG_CA_VIN);
  });

  test('alerts of the configured audiences and errors arrive now and then, in their own records', async () => {
    await setup.configure([VIN], { prefer_typed: true, alert_types: ['service'], fields: { Soc: 60 } });
    vehicles.tick();
    await waitFor('the snapshot', () => setup.server.frames.some((f) => f.v?.vin === VIN));
    await waitFor('its ack', () => setup.stream(VIN)?.['pending'] === 0);
    for (let minute = 1; minute <= 3; minute++) {
      setup.advance(60_000);
      await waitFor('acks', () => setup.stream(VIN)?.['pending'] === 0);
    }
    const alerts = await waitFor('an alerts record', () =>
      setup.server.frames.find((f) => f.topic === 'alerts'),
    );
    const errors = await waitFor('an errors record', () =>
      setup.server.frames.find((f) => f.topic === 'errors'),
    );
    assert.equal(alerts.alerts?.vin, VIN);
    const alert = alerts.alerts!.alerts[0]!;
    assert.ok(alert.name.length > 0);
    assert.ok(
      alert.audiences.length > 0 && alert.audiences.every((a) => a === 'Service' || a === 'ServiceFix'),
    );
    assert.equal(typeof alert.startedAt, 'number');
    const error = errors.errors!.errors[0]!;
    assert.ok(error.name.length > 0 && error.body.length > 0);
    assert.ok(Object.keys(error.tags).length > 0);
    const txids = setup.server.frames.map((f) => f.txid);
    assert.equal(new Set(txids).size, txids.length, 'every message has a fresh txid');
  });

  test('with the server down it retries with backoff, then resends what was not acked', async () => {
    await waitFor('all acked', () => setup.stream(VIN)?.['pending'] === 0);
    const first = setup.server;
    first.acking = false;
    setup.advance(60_000);
    await waitFor('the server to hold all that was sent', () => {
      const fromVin = first.frames.filter((f) => f.senderId.endsWith(VIN)).length;
      return fromVin === setup.stream(VIN)?.['sent'];
    });
    assert.ok(Number(setup.stream(VIN)?.['pending']) > 0);
    const unacked = first.frames.filter((f) => f.v?.vin === VIN).slice(-1);
    await first.close();
    await waitFor('the connection lost', () => setup.stream(VIN)?.['status'] === 'waiting');
    setup.advance(5_000);
    const refused = await waitFor('connection refused', () => {
      const error = setup.stream(VIN)?.['last_error'];
      return typeof error === 'string' && error.includes('connection refused') ? error : undefined;
    });
    assert.match(refused, new RegExp(`dial tcp ${TELEMETRY_HOST}:443: connect: connection refused`));

    const cert = await sim.ca.issueServerCertificate([TELEMETRY_HOST]);
    const second = await startTestTelemetryServer({
      cert: cert.certPem,
      key: cert.keyPem,
      clientCa: sim.ca.certPem,
    });
    setup.resolve.set(TELEMETRY_HOST, { address: '127.0.0.1', port: second.port });
    for (let i = 0; i < 3 && second.connections.length === 0; i++) {
      await waitFor('the next attempt', () => setup.stream(VIN)?.['status'] === 'waiting');
      setup.advance(5_000);
      await waitFor('an attempt to end', () => setup.stream(VIN)?.['status'] !== 'connecting');
    }
    await waitFor('the vehicle back', () => second.connections.length === 1);
    const resent = await waitFor('the resend', () =>
      second.frames.find((f) => f.txid === unacked[0]!.txid && f.v?.isResend),
    );
    assert.deepEqual(resent.v?.fields, unacked[0]!.v?.fields);
    await waitFor('nothing pending', () => setup.stream(VIN)?.['pending'] === 0);
  });
});
