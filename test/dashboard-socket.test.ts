import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { manualClock } from '../src/core/clock.ts';
import { connectDashboard, type RefusedUpgrade } from './helpers/dashboard-client.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { alerts, connectivity, errors, TestFeed, vehicleData } from './helpers/telemetry-feed.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const TOKEN = 'dashboard-shared-token-0123456789';
const NOW = Date.parse('2026-03-02T09:00:00Z');
const CAR = '5YJ3E1EA7KF000001';
const OTHER = '5YJ3E1EA7KF000002';

async function jwt(claims: Record<string, unknown>, options: { key?: string; exp?: number | null } = {}) {
  const signer = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(NOW / 1000);
  if (options.exp !== null) signer.setExpirationTime(options.exp ?? NOW / 1000 + 3600);
  return signer.sign(new TextEncoder().encode(options.key ?? TOKEN));
}

async function refused(url: string): Promise<RefusedUpgrade> {
  try {
    await connectDashboard(url);
  } catch (error) {
    return error as RefusedUpgrade;
  }
  throw new Error('the upgrade was accepted');
}

describe('dashboard WebSocket', () => {
  const clock = manualClock(NOW);
  const feed = new TestFeed();
  let gw: TestGateway;
  let socketUrl: string;

  before(async () => {
    gw = await startTestGateway({ clock, env: { DASHBOARD_TOKEN: TOKEN }, telemetryFeed: feed });
    socketUrl = `ws://127.0.0.1:${gw.port}/fleet/dashboard/ws`;
    feed.push(connectivity(CAR, NOW - 60_000, 'CONNECTED'));
    feed.push(vehicleData(CAR, NOW - 1_000, { VehicleSpeed: 12, Soc: 80.5 }));
    feed.push(vehicleData(OTHER, NOW - 2_000, { VehicleSpeed: 0 }));
  });
  after(async () => {
    await gw?.stop();
  });

  test('a wrong or missing token is refused with 401 before any upgrade, naming what to do', async () => {
    for (const [query, message] of [
      ['', /No token: add \?token= with DASHBOARD_TOKEN/],
      ['?token=wrong-token', /neither DASHBOARD_TOKEN nor a JWT/],
      [
        `?token=${await jwt({ vins: [CAR] }, { key: 'another-secret-of-enough-length' })}`,
        /not signed with DASHBOARD_TOKEN/,
      ],
      [`?token=${await jwt({ vins: [CAR] }, { exp: NOW / 1000 - 1 })}`, /expired/],
      [`?token=${await jwt({ vins: [CAR] }, { exp: null })}`, /no exp claim/],
      [`?token=${await jwt({ sub: 'no vins' })}`, /no usable vins claim/],
    ] as const) {
      const answer = await refused(`${socketUrl}${query}`);
      assert.equal(answer.status, 401, query);
      assert.equal(answer.body.error, 'FLEET_DASHBOARD_TOKEN_INVALID');
      assert.match(answer.body.message, message);
      assert.ok(!answer.body.message.includes(TOKEN));
    }
    // Nothing was subscribed for a refused client: no data could have reached it.
    assert.equal(feed.listeners, 0);
  });

  test('the socket URL read without upgrading says whether the token is good', async () => {
    const bad = await request(`http://127.0.0.1:${gw.port}/fleet/dashboard/ws?token=nope`);
    assert.equal(bad.statusCode, 401);
    assert.equal(((await bad.body.json()) as { error: string }).error, 'FLEET_DASHBOARD_TOKEN_INVALID');
    const good = await request(`http://127.0.0.1:${gw.port}/fleet/dashboard/ws?token=${TOKEN}`);
    assert.equal(good.statusCode, 426);
    assert.match(((await good.body.json()) as { message: string }).message, /token is good/);
  });

  test('the shared token gets a snapshot of every vehicle, then each record as it arrives, in the documented JSON', async () => {
    const client = await connectDashboard(`${socketUrl}?token=${TOKEN}`);
    assert.deepEqual(await client.next(), {
      type: 'snapshot',
      vehicles: [
        {
          vin: CAR,
          status: 'CONNECTED',
          fields: { VehicleSpeed: 12, Soc: 80.5 },
          fieldTimes: { VehicleSpeed: NOW - 1_000, Soc: NOW - 1_000 },
          lastSeenAt: NOW - 960,
          activeAlerts: [],
          recentErrors: [],
        },
        {
          vin: OTHER,
          status: 'UNKNOWN',
          fields: { VehicleSpeed: 0 },
          fieldTimes: { VehicleSpeed: NOW - 2_000 },
          lastSeenAt: NOW - 1_960,
          activeAlerts: [],
          recentErrors: [],
        },
      ],
    });
    feed.push(
      vehicleData(CAR, NOW, {
        VehicleSpeed: 61.5,
        Location: { latitude: 37.4919, longitude: -121.9447 },
        Gear: 'ShiftStateD',
        InsideTemp: null,
        Locked: true,
        Field_300: 'kept',
      }),
    );
    assert.deepEqual(await client.next(), {
      type: 'V',
      vin: CAR,
      createdAt: NOW,
      fields: {
        VehicleSpeed: 61.5,
        Location: { latitude: 37.4919, longitude: -121.9447 },
        Gear: 'ShiftStateD',
        InsideTemp: null,
        Locked: true,
        Field_300: 'kept',
      },
    });
    feed.push(
      alerts(CAR, NOW + 1, [
        {
          name: 'BMS_a035_SW_Battery_Low',
          audiences: ['Customer', 'Service'],
          startedAt: NOW - 5_000,
          endedAt: undefined,
        },
      ]),
    );
    assert.deepEqual(await client.next(), {
      type: 'alerts',
      vin: CAR,
      createdAt: NOW + 1,
      alerts: [
        {
          name: 'BMS_a035_SW_Battery_Low',
          audiences: ['Customer', 'Service'],
          startedAt: NOW - 5_000,
          endedAt: null,
        },
      ],
    });
    feed.push(errors(CAR, NOW + 2, 'gps_lost', 'no fix for 30 s'));
    assert.deepEqual(await client.next(), {
      type: 'errors',
      vin: CAR,
      createdAt: NOW + 2,
      errors: [{ name: 'gps_lost', createdAt: NOW + 2, tags: { source: 'test' }, body: 'no fix for 30 s' }],
    });
    feed.push(connectivity(CAR, NOW + 3, 'DISCONNECTED'));
    assert.deepEqual(await client.next(), {
      type: 'connectivity',
      vin: CAR,
      createdAt: NOW + 3,
      status: 'DISCONNECTED',
      connectionId: `conn-${CAR}`,
      networkInterface: 'wifi',
    });
    client.ws.close();
    await client.closed;
    await waitFor('the feed to lose its only listener', () => feed.listeners === 0);
  });

  test('a JWT sees only the VINs it lists, in the snapshot and live', async () => {
    const client = await connectDashboard(`${socketUrl}?token=${await jwt({ vins: [OTHER] })}`);
    const snapshot = await client.next();
    assert.deepEqual(
      snapshot.vehicles.map((v: { vin: string }) => v.vin),
      [OTHER],
    );
    feed.push(vehicleData(CAR, NOW + 10, { VehicleSpeed: 99 }));
    feed.push(vehicleData(OTHER, NOW + 11, { VehicleSpeed: 5 }));
    feed.push(connectivity(CAR, NOW + 12, 'CONNECTED'));
    feed.push(connectivity(OTHER, NOW + 13, 'CONNECTED'));
    assert.deepEqual(await client.next(), {
      type: 'V',
      vin: OTHER,
      createdAt: NOW + 11,
      fields: { VehicleSpeed: 5 },
    });
    assert.equal((await client.next()).vin, OTHER);
    assert.equal(client.received.length, 3);
    client.ws.close();
    await client.closed;
  });

  test("a JWT's connection closes with 1008 when the token expires", async () => {
    const token = await jwt({ vins: [CAR] }, { exp: NOW / 1000 + 3600 });
    clock.set(NOW + 3_600_000 - 50);
    try {
      const client = await connectDashboard(`${socketUrl}?token=${token}`);
      assert.equal((await client.next()).type, 'snapshot');
      assert.deepEqual(await client.closed, { code: 1008, reason: 'token expired' });
    } finally {
      clock.set(NOW);
    }
  });

  test('a client that stops reading is dropped with 1013 while a fast one keeps receiving everything', async () => {
    const fast = await connectDashboard(`${socketUrl}?token=${TOKEN}`);
    const slow = await connectDashboard(`${socketUrl}?token=${TOKEN}`);
    await fast.next();
    await slow.next();
    slow.ws.pause();
    // 1,500 records of 16 kB: far more than the slow client's socket buffers and the 1 MiB bound.
    const filler = 'x'.repeat(16_000);
    const total = 1_500;
    for (let i = 0; i < total; i++) {
      feed.push(vehicleData(CAR, NOW + 100 + i, { VehicleSpeed: i, Field_999: filler }));
      // The vehicles' records arrive over time; a fast dashboard keeps up between them.
      if (i % 32 === 31) await waitFor('the fast client to keep up', () => fast.received.length >= i + 2);
    }
    await waitFor('the fast client to get every record', () => fast.received.length === total + 1);
    assert.deepEqual(
      fast.received.slice(1).map((m) => m.fields.VehicleSpeed),
      Array.from({ length: total }, (_, i) => i),
    );
    slow.ws.resume();
    const { code } = await slow.closed;
    assert.equal(code, 1013);
    assert.ok(slow.received.length < total + 1, `the slow client got ${slow.received.length} messages`);
    // The fast one is still there.
    feed.push(vehicleData(CAR, NOW + 10_000, { VehicleSpeed: 42 }));
    await waitFor(
      'the fast client to get the next record',
      () => fast.received.at(-1).fields.VehicleSpeed === 42,
    );
    fast.ws.close();
    await fast.closed;
  });
});

describe('dashboard without DASHBOARD_TOKEN', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ telemetryFeed: new TestFeed() });
  });
  after(async () => {
    await gw?.stop();
  });

  test('the page and the socket answer 503 saying to set it', async () => {
    const answer = await refused(`ws://127.0.0.1:${gw.port}/fleet/dashboard/ws?token=anything-at-all`);
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error, 'FLEET_DASHBOARD_TOKEN_UNSET');
    assert.match(answer.body.message, /set DASHBOARD_TOKEN/);
    const page = await request(`http://127.0.0.1:${gw.port}/fleet/dashboard`);
    assert.equal(page.statusCode, 503);
    assert.match(await page.body.text(), /set DASHBOARD_TOKEN/);
  });
});

describe('dashboard without a built page', () => {
  let gw: TestGateway;
  const empty = tempDir('gatehouse-no-dashboard-');
  before(async () => {
    gw = await startTestGateway({
      env: { DASHBOARD_TOKEN: TOKEN },
      telemetryFeed: new TestFeed(),
      dashboardDir: empty,
    });
  });
  after(async () => {
    await gw?.stop();
  });

  test('the page answers 503 naming the build to run, and the socket still works', async () => {
    const page = await request(`http://127.0.0.1:${gw.port}/fleet/dashboard`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(page.statusCode, 503);
    const body = (await page.body.json()) as { error: string; message: string };
    assert.equal(body.error, 'FLEET_DASHBOARD_NOT_BUILT');
    assert.match(body.message, /run npm run build/);
    const client = await connectDashboard(`ws://127.0.0.1:${gw.port}/fleet/dashboard/ws?token=${TOKEN}`);
    assert.deepEqual(await client.next(), { type: 'snapshot', vehicles: [] });
    client.ws.close();
    await client.closed;
  });
});
