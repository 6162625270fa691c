import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../src/core/clock.ts';
import { startingOdometer, vehicleMotion } from '../src/simulator/vehicle-data.ts';
import { FieldSchedule, fieldPlans } from '../src/simulator/vehicles/field-schedule.ts';
import { IncidentModel } from '../src/simulator/vehicles/incidents.ts';
import { Outbox } from '../src/simulator/vehicles/outbox.ts';
import { Scheduler } from '../src/simulator/vehicles/scheduler.ts';
import { seededRandom } from '../src/simulator/vehicles/seeded-random.ts';
import { type Signal, vehicleSignals } from '../src/simulator/vehicles/vehicle-signals.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const num = (value: number): Signal => ({ kind: 'double', value });

describe('field schedule', () => {
  test('fields go out at their intervals, only on change beyond minimum_delta', () => {
    const plans = fieldPlans({
      VehicleSpeed: { interval_seconds: 1 },
      Soc: { interval_seconds: 10, minimum_delta: 1 },
    });
    const schedule = new FieldSchedule(plans, T0);
    let speed = 30;
    let soc = 80;
    const sample = () =>
      new Map<string, Signal>([
        ['VehicleSpeed', num(speed)],
        ['Soc', num(soc)],
      ]);
    assert.deepEqual([...schedule.due(T0, sample).keys()], ['VehicleSpeed', 'Soc'], 'first look sends all');
    assert.equal(schedule.nextAt(), T0 + 1000);
    assert.deepEqual([...schedule.due(T0 + 1000, sample).keys()], [], 'unchanged: nothing');
    speed = 31;
    soc = 79.5;
    assert.deepEqual([...schedule.due(T0 + 2000, sample).keys()], ['VehicleSpeed']);
    assert.deepEqual([...schedule.due(T0 + 10_000, sample).keys()], [], 'Soc moved 0.5 < 1');
    soc = 78.9;
    assert.deepEqual(schedule.due(T0 + 20_000, sample).get('Soc'), num(78.9));
  });

  test('resend_interval_seconds sends an unchanged value again; a snapshot sends all', () => {
    const schedule = new FieldSchedule(
      fieldPlans({ Odometer: { interval_seconds: 5, resend_interval_seconds: 30 } }),
      T0,
    );
    const sample = () => new Map<string, Signal>([['Odometer', num(100)]]);
    assert.equal(schedule.due(T0, sample).size, 1);
    const sentAt: number[] = [];
    for (let t = T0 + 5000; t <= T0 + 60_000; t += 5000)
      if (schedule.due(t, sample).size) sentAt.push(t - T0);
    assert.deepEqual(sentAt, [30_000, 60_000]);
    schedule.snapshot(T0 + 61_000);
    assert.equal(schedule.nextAt(), T0 + 61_000);
    assert.equal(schedule.due(T0 + 61_000, sample).size, 1);
  });

  test('a location moves by metres; invalid entries of the configuration are skipped', () => {
    const plans = fieldPlans({
      Location: { interval_seconds: 1, minimum_delta: 100 },
      Bad: { nope: 1 },
      Soc: 0,
    });
    assert.deepEqual(
      plans.map((p) => p.name),
      ['Location'],
    );
    const schedule = new FieldSchedule(plans, T0);
    let latitude = 37.44;
    const sample = () =>
      new Map<string, Signal>([['Location', { kind: 'location', value: { latitude, longitude: -122.14 } }]]);
    schedule.due(T0, sample);
    latitude += 0.0005; // about 55 m
    assert.equal(schedule.due(T0 + 1000, sample).size, 0);
    latitude += 0.0005;
    assert.equal(schedule.due(T0 + 2000, sample).size, 1);
  });

  test('a late look keeps the phase of the interval', () => {
    const schedule = new FieldSchedule(fieldPlans({ VehicleSpeed: 10 }), T0);
    schedule.due(T0 + 25_000, () => new Map());
    assert.equal(schedule.nextAt(), T0 + 30_000);
  });
});

describe('vehicle signals', () => {
  test('agree with the motion model: driving in D, then parked in P and charging', () => {
    const source = {
      vin: '5YJ3E7EB2NF000001',
      index: 0,
      region: 'na' as const,
      startedAt: T0,
      displayName: 'Blue',
      firmware: '2024.26.5',
    };
    const driving = vehicleSignals(source, Date.UTC(2026, 0, 1, 0, 10));
    assert.deepEqual(driving.get('Gear'), { kind: 'enum', value: 'ShiftStateD' });
    assert.equal(driving.get('VehicleSpeed')?.kind, 'double');
    const parked = vehicleSignals(source, Date.UTC(2026, 0, 1, 1, 10));
    assert.deepEqual(parked.get('Gear'), { kind: 'enum', value: 'ShiftStateP' });
    assert.deepEqual(parked.get('DetailedChargeState'), {
      kind: 'enum',
      value: 'DetailedChargeStateCharging',
    });
    assert.deepEqual(parked.get('VehicleSpeed'), num(0));
    assert.deepEqual(parked.get('CarType'), { kind: 'enum', value: 'CarTypeModel3' });
  });
});

describe('odometer', () => {
  const vin = '5YJ3E7EB2NF000001';
  const at = (index: number, now: number) =>
    vehicleMotion({ vin, index, region: 'na', startedAt: T0 }, now).odometer;

  test("starts where the VIN puts it, a used car's reading, the same on every run", () => {
    const start = startingOdometer(vin);
    assert.ok(start >= 2_000 && start <= 40_000, String(start));
    assert.equal(startingOdometer(vin), start);
    assert.notEqual(startingOdometer('7SAYGDEE1PF000002'), start, 'each VIN its own');
    assert.equal(at(0, T0), start);
    assert.equal(at(3, T0), start, 'whatever the phase the vehicle is in');
  });

  test('grows by the loop while driving and stands still while parked', () => {
    const start = startingOdometer(vin);
    // Vehicle 0 starts its cycle at T0: an hour's 22-mile loop, then an hour parked.
    assert.equal(at(0, T0 + 30 * 60_000), start + 11);
    assert.equal(at(0, T0 + 60 * 60_000), start + 22);
    assert.equal(at(0, T0 + 119 * 60_000), start + 22);
    assert.equal(at(0, T0 + 150 * 60_000), start + 33);
    // Any phase: never backwards, and three loops in six hours.
    let last = at(1, T0);
    for (let minute = 1; minute <= 360; minute++) {
      const now = at(1, T0 + minute * 60_000);
      assert.ok(now >= last, `minute ${minute}: ${now} after ${last}`);
      last = now;
    }
    assert.equal(Math.round(last - at(1, T0)), 66);
  });
});

describe('outbox', () => {
  test('keeps what was not acked, resends after a timeout or a lost connection, drops the oldest when full', () => {
    const outbox = new Outbox<string>(3);
    outbox.add('a', 'A');
    outbox.add('b', 'B');
    for (const m of outbox.toSend(0)) outbox.markSent(m, 1000);
    assert.deepEqual(outbox.toSend(1000), [], 'sent at 1000, not overdue at 1000');
    assert.ok(outbox.ack('a'));
    assert.ok(!outbox.ack('a'), 'an ack counts once');
    assert.deepEqual(
      outbox.toSend(1001).map((m) => [m.txid, m.sends]),
      [['b', 1]],
    );
    outbox.connectionLost();
    const again = outbox.toSend(0);
    assert.deepEqual(
      again.map((m) => m.txid),
      ['b'],
    );
    outbox.markSent(again[0]!, 2000);
    outbox.add('c', 'C');
    outbox.add('d', 'D');
    outbox.add('e', 'E');
    assert.deepEqual(outbox.counts(), { sent: 3, acked: 1, resent: 1, dropped: 1, pending: 3 });
    assert.equal(outbox.oldestSentAt(), Number.POSITIVE_INFINITY, 'b was dropped, the rest never sent');
  });
});

describe('scheduler', () => {
  test('runs due tasks in time order on a manual clock, skips cancelled ones, survives a throw', () => {
    const clock = manualClock(T0);
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ clock, realTimers: false, onError: (e) => errors.push(e) });
    const ran: string[] = [];
    scheduler.after(2000, () => ran.push('two'));
    scheduler.after(1000, () => ran.push('one'));
    scheduler.after(1000, () => {
      throw new Error('boom');
    });
    scheduler.after(1500, () => ran.push('cancelled')).cancel();
    scheduler.after(3000, () => ran.push('three'));
    scheduler.runDue();
    assert.deepEqual(ran, []);
    clock.advance(2000);
    scheduler.runDue();
    assert.deepEqual(ran, ['one', 'two']);
    assert.equal(errors.length, 1);
    scheduler.stop();
    clock.advance(5000);
    scheduler.runDue();
    assert.deepEqual(ran, ['one', 'two']);
  });
});

describe('incidents', () => {
  test('the same seed gives the same alerts; alert_types filter audiences; alerts end', () => {
    const run = (seed: string, types: string[]) => {
      const model = new IncidentModel(seededRandom(seed), { alertsPerHour: 30, errorsPerHour: 20 }, types);
      const out: string[] = [];
      for (let minute = 1; minute <= 60; minute++) {
        const { alerts, errors } = model.minute(T0 + minute * 60_000);
        for (const a of alerts)
          out.push(`${minute} ${a.name} ${a.endedAt ? 'ended' : 'started'} ${a.audiences.join('+')}`);
        for (const e of errors) out.push(`${minute} error ${e.name}`);
      }
      return out;
    };
    const first = run('1/VIN', ['service', 'customer']);
    assert.deepEqual(run('1/VIN', ['service', 'customer']), first);
    assert.notDeepEqual(run('2/VIN', ['service', 'customer']), first);
    assert.ok(first.some((l) => l.includes('started')));
    assert.ok(first.some((l) => l.includes('ended')));
    assert.ok(first.some((l) => l.includes('error')));
    const customerOnly = run('1/VIN', ['customer']).filter((l) => !l.includes('error'));
    assert.ok(
      customerOnly.every((l) => l.endsWith(' Customer')),
      customerOnly.join('\n'),
    );
    assert.ok(
      run('1/VIN', []).every((l) => l.includes('error')),
      'no alert_types, no alerts',
    );
  });
});
