import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { request } from 'undici';
import { type StreamingSetup, startStreamingSetup, TELEMETRY_HOST } from './helpers/streaming-simulator.ts';
import { waitFor } from './helpers/wait-for.ts';

const VIN = '5YJ3E7EB2NF000101';
const OTHER_VIN = '5YJ3E7EB2NF000102';
/** On firmware from before August 2025, which heeds prefer_typed. */
const OLD_FIRMWARE_VIN = '5YJ3E7EB2NF000103';

const setup: StreamingSetup = await startStreamingSetup(
  [VIN, OTHER_VIN, { vin: OLD_FIRMWARE_VIN, string_values: true }],
  {
    alertsPerHour: 0,
    errorsPerHour: 0,
    ackTimeoutMs: 10_000,
    minBackoffMs: 1_000,
    maxBackoffMs: 4_000,
  },
);
const { server, vehicles, sim } = setup;
const start = sim.clock();

const framesOf = (vin: string) => server.frames.filter((f) => f.v?.vin === vin || f.senderId.endsWith(vin));
/** Waits until the server got everything the vehicle wrote. */
const settled = (vin: string) =>
  waitFor(`${vin}'s frames at the server`, () => {
    const sent = Number(setup.stream(vin)?.['sent'] ?? -1);
    return sent >= 0 && framesOf(vin).length === sent;
  });

describe('a configured vehicle streams to its server', () => {
  test('it connects over mTLS as its VIN with the Version and X-Network-Interface headers, and sends a snapshot', async () => {
    await setup.configure([VIN], {
      prefer_typed: true,
      fields: {
        VehicleSpeed: { interval_seconds: 1 },
        Soc: { interval_seconds: 60, minimum_delta: 0.25 },
        Location: { interval_seconds: 10 },
        Gear: { interval_seconds: 1 },
        NotAFieldAnyFirmwareKnows: { interval_seconds: 1 },
      },
    });
    vehicles.tick();
    const connection = await waitFor('a connection', () => server.connections[0]);
    assert.equal(connection.commonName, VIN);
    assert.equal(connection.headers['version'], '1.0.0');
    assert.equal(connection.headers['x-network-interface'], 'wifi');
    const first = await waitFor('the snapshot', () => framesOf(VIN)[0]);
    assert.equal(first.topic, 'V');
    assert.equal(first.senderId, `vehicle_device.${VIN}`);
    assert.equal(first.createdAtSeconds, Math.floor(start / 1000));
    assert.equal(first.v?.isResend, false);
    assert.equal(first.v?.createdAt, start);
    assert.deepEqual(Object.keys(first.v?.fields ?? {}).sort(), ['Gear', 'Location', 'Soc', 'VehicleSpeed']);
    assert.equal(first.v?.fields['Gear'], 'ShiftStateD');
    assert.equal(typeof first.v?.fields['VehicleSpeed'], 'number');
    const location = first.v?.fields['Location'] as { latitude: number; longitude: number };
    assert.ok(Math.abs(location.latitude - 37.44) < 0.05, JSON.stringify(location));
    await waitFor('the ack', () => setup.stream(VIN)?.['acked'] === 1);
    assert.equal(setup.stream(VIN)?.['pending'], 0);
  });

  test('fields go out at their intervals and only on change, against the manual clock', async () => {
    const before = framesOf(VIN).length;
    for (let second = 1; second <= 60; second++) {
      setup.advance(1000);
      // Acks take real time; waiting for them keeps the ack timeout out of this test.
      if (second % 5 === 0) await waitFor('acks', () => setup.stream(VIN)?.['pending'] === 0);
    }
    await settled(VIN);
    const later = framesOf(VIN).slice(before);
    assert.ok(later.length > 0, 'the drive changes something within a minute');
    const at = (name: string) =>
      later.filter((f) => f.v && name in f.v.fields).map((f) => ((f.v!.createdAt ?? 0) - start) / 1000);
    for (const second of at('Location')) assert.equal(second % 10, 0, `Location at ${second} s`);
    assert.ok(at('Location').length >= 5, 'the vehicle moves: a new location every 10 s');
    assert.deepEqual(at('Soc'), [60], 'Soc is looked at once a minute and moved more than 0.25');
    assert.deepEqual(at('Gear'), [], 'still driving: Gear unchanged, not sent');
    for (const frame of later) assert.equal(frame.v?.isResend, false);
    const speeds = later
      .filter((f) => f.v && 'VehicleSpeed' in f.v.fields)
      .map((f) => f.v!.fields['VehicleSpeed']);
    for (let i = 1; i < speeds.length; i++)
      assert.notEqual(speeds[i], speeds[i - 1], 'a speed is sent when it changed');
  });

  test('the control API shows the stream: connected, sent, acked, pending', async () => {
    await waitFor('all acked', () => setup.stream(VIN)?.['pending'] === 0);
    const res = await request(`${sim.url}/sim/vehicles/${VIN}/stream`);
    const body = (await res.body.json()) as { streams: Record<string, unknown>[] };
    assert.equal(res.statusCode, 200);
    const [stream] = body.streams;
    assert.equal(stream?.['connected'], true);
    assert.equal(stream?.['hostname'], TELEMETRY_HOST);
    assert.equal(stream?.['pending'], 0);
    assert.equal(stream?.['resent'], 0);
    assert.equal(stream?.['acked'], stream?.['sent']);
    assert.deepEqual([...((stream?.['fields'] as string[] | undefined) ?? [])].sort(), [
      'Gear',
      'Location',
      'Soc',
      'VehicleSpeed',
    ]);
  });

  test('what was not acked is resent, marked is_resend, after a timeout and after a reconnect', async () => {
    server.acking = false;
    const before = framesOf(VIN).length;
    setup.advance(10_000);
    await settled(VIN);
    const unacked = framesOf(VIN).slice(before);
    assert.ok(unacked.length > 0);
    assert.equal(setup.stream(VIN)?.['pending'], unacked.length);

    setup.advance(10_001);
    await settled(VIN);
    const resentAfterTimeout = framesOf(VIN).filter((f) => f.v?.isResend);
    assert.ok(
      unacked.every((f) => resentAfterTimeout.some((r) => r.txid === f.txid)),
      'every unacked frame again, with its txid',
    );

    const connectionsBefore = server.connections.length;
    server.dropConnections();
    await waitFor('the vehicle to notice', () => setup.stream(VIN)?.['status'] === 'waiting');
    server.acking = true;
    setup.advance(5_000);
    await waitFor('a reconnect', () => server.connections.length === connectionsBefore + 1);
    await waitFor('the resends over the new connection', () => {
      const again = framesOf(VIN).filter((f) => f.connection === connectionsBefore + 1 && f.v?.isResend);
      return unacked.every((f) => again.some((r) => r.txid === f.txid));
    });
    await waitFor('everything acked', () => setup.stream(VIN)?.['pending'] === 0);
    assert.equal(setup.stream(VIN)?.['connections'], 2);
  });

  test('a configuration sent again makes the vehicle send a full snapshot', async () => {
    const before = framesOf(VIN).length;
    await setup.configure([VIN], {
      prefer_typed: true,
      fields: {
        VehicleSpeed: { interval_seconds: 1 },
        Gear: { interval_seconds: 30 },
        Odometer: { interval_seconds: 30 },
      },
    });
    vehicles.tick();
    const snapshot = await waitFor('a snapshot', () =>
      framesOf(VIN)
        .slice(before)
        .find((f) => f.v),
    );
    assert.deepEqual(Object.keys(snapshot.v!.fields).sort(), ['Gear', 'Odometer', 'VehicleSpeed']);
    assert.equal(
      server.connections.filter((c) => !c.closed).length,
      1,
      'the same server: the same connection',
    );
  });

  test('without prefer_typed numbers still arrive typed, as vehicles send them since August 2025', async () => {
    await setup.configure([OTHER_VIN], {
      fields: {
        Odometer: { interval_seconds: 60 },
        Gear: { interval_seconds: 60 },
        Locked: { interval_seconds: 60 },
      },
    });
    vehicles.tick();
    const frame = await waitFor('the other vehicle', () => framesOf(OTHER_VIN).find((f) => f.v));
    assert.equal(typeof frame.v!.fields['Odometer'], 'number');
    assert.equal(typeof frame.v!.fields['Locked'], 'boolean');
    assert.equal(frame.v!.fields['Gear'], 'ShiftStateD');
  });

  test('older firmware (string_values) sends numbers and booleans as strings unless prefer_typed', async () => {
    const fields = {
      Soc: { interval_seconds: 60 },
      Locked: { interval_seconds: 60 },
      Gear: { interval_seconds: 60 },
    };
    await setup.configure([OLD_FIRMWARE_VIN], { fields });
    vehicles.tick();
    const strings = await waitFor('the old vehicle', () => framesOf(OLD_FIRMWARE_VIN).find((f) => f.v));
    assert.equal(typeof strings.v!.fields['Soc'], 'string');
    assert.ok(Number.isFinite(Number(strings.v!.fields['Soc'])), String(strings.v!.fields['Soc']));
    assert.match(String(strings.v!.fields['Locked']), /^(true|false)$/);
    assert.equal(typeof strings.v!.fields['Locked'], 'string');
    assert.match(String(strings.v!.fields['Gear']), /^ShiftState[DP]$/, 'enums keep their own member');

    const before = framesOf(OLD_FIRMWARE_VIN).length;
    await setup.configure([OLD_FIRMWARE_VIN], { prefer_typed: true, fields });
    vehicles.tick();
    const typed = await waitFor('the snapshot after prefer_typed', () =>
      framesOf(OLD_FIRMWARE_VIN)
        .slice(before)
        .find((f) => f.v),
    );
    assert.equal(typeof typed.v!.fields['Soc'], 'number');
    assert.equal(typeof typed.v!.fields['Locked'], 'boolean');
    await setup.unconfigure(OLD_FIRMWARE_VIN);
  });

  test('an asleep vehicle disconnects; deleting the configuration stops the stream', async () => {
    const open = () => server.connections.filter((c) => !c.closed && c.commonName === OTHER_VIN);
    await waitFor('the other vehicle connected', () => open().length === 1);
    await request(`${sim.url}/sim/vehicles/${OTHER_VIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'asleep' }),
    });
    await waitFor('it to disconnect', () => open().length === 0);
    assert.deepEqual(vehicles.streamsOf(OTHER_VIN), []);

    const mine = () => server.connections.filter((c) => !c.closed && c.commonName === VIN);
    assert.equal(mine().length, 1);
    await setup.unconfigure(VIN);
    await waitFor('the vehicle to disconnect', () => mine().length === 0);
    assert.deepEqual(vehicles.streamsOf(VIN), []);
    const count = server.connections.length;
    setup.advance(120_000);
    assert.equal(server.connections.length, count, 'no reconnect after delete');
  });
});
