import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ManualClock, manualClock } from '../src/core/clock.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { TESLA_ACCOUNTS } from '../src/store/entities.ts';
import { connectDashboard, type DashboardClient, type RefusedUpgrade } from './helpers/dashboard-client.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { connectivity, TestFeed, vehicleData } from './helpers/telemetry-feed.ts';
import { csrfOf, logIn, TestBrowser } from './helpers/tesla-login.ts';

const TESLA_ENV = { TESLA_CLIENT_ID: 'gatehouse-sim-client', TESLA_CLIENT_SECRET: 'gatehouse-sim-secret' };
const OPERATOR_TOKEN = 'dashboard-shared-token-0123456789';
/** Sam's vehicles: the seed's driver@example.com. */
const SAMS = ['5YJ3E7EB2NF000001', '7SAYGDEE1PF000002'];
const SIGNED_OUT = { code: 4401, reason: 'signed out: log in again' };
const EXPIRED = { code: 4401, reason: 'signed out: your login expired, log in again' };
/** Long enough that only a logout's announcement can end a socket within a test. */
const HOUR_MS = 3_600_000;
const SESSION_MS = 168 * HOUR_MS;

function simulator(clock: () => number): Promise<Simulator> {
  return startSimulator({
    clock,
    seed: validateSeed({
      ...DEFAULT_SEED_INPUT,
      apps: DEFAULT_SEED_INPUT.apps.map((app) => ({ ...app, require_partner_registration: false })),
    }),
  });
}

function feedWithSams(clock: () => number): TestFeed {
  const feed = new TestFeed();
  for (const vin of SAMS) {
    feed.push(connectivity(vin, clock() - 5000, 'CONNECTED'));
    feed.push(vehicleData(vin, clock() - 4000, { VehicleSpeed: 42 }));
  }
  return feed;
}

/** A person logged in at `base` through `browser`, with the cookie their dashboard socket sends. */
async function loggedIn(base: string, as: { email?: string } = {}) {
  const browser = new TestBrowser();
  await logIn(browser, base, as);
  const cookie = () => [...browser.cookiesFor(base)].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    browser,
    cookie,
    /** Opens `{base}/dashboard/ws` with the login's cookie; it starts with a snapshot of Sam's vehicles. */
    async socket(): Promise<DashboardClient> {
      const client = await connectDashboard(`${base.replace(/^http/, 'ws')}/dashboard/ws`, {
        cookie: cookie(),
      });
      const snapshot = await client.next();
      assert.equal(snapshot.type, 'snapshot');
      assert.deepEqual(snapshot.vehicles.map((v: { vin: string }) => v.vin).sort(), SAMS);
      return client;
    },
    /** `POST {base}/logout` with the report page's form token, as its button sends it. */
    async logout(at: string = base): Promise<void> {
      const csrf = csrfOf((await browser.send(`${at}/report`)).text);
      const answer = await browser.send(`${at}/logout`, {
        form: { csrf },
        headers: { origin: new URL(at).origin, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(answer.status, 200, answer.text);
    },
  };
}

/** What the upgrade with the login's cookie is answered now; fails when it is accepted. */
async function refusedUpgrade(base: string, cookie: string): Promise<RefusedUpgrade> {
  try {
    const client = await connectDashboard(`${base.replace(/^http/, 'ws')}/dashboard/ws`, { cookie });
    client.ws.close();
  } catch (error) {
    return error as RefusedUpgrade;
  }
  throw new Error('the upgrade was accepted');
}

/**
 * The simulator and a gateway checking open login sockets every `checkMs`, with a `fleet-login`
 * route at `/tesla` (its address is `base`).
 */
async function startLoginGateway(
  clock: ManualClock,
  feed: ReturnType<typeof feedWithSams>,
  checkMs: number,
  env: Record<string, string> = {},
): Promise<{ sim: Simulator; gw: TestGateway; base: string }> {
  const sim = await simulator(clock);
  const gw = await startTestGateway({
    clock,
    telemetryFeed: feed,
    fleetLoginCheckMs: checkMs,
    env: { ...TESLA_ENV, TESLA_SIMULATOR: sim.url, ...env },
  });
  await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
  return { sim, gw, base: `${gw.url}/tesla` };
}

describe("a Tesla login's open dashboard ends when the login does, heard of at once", () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  const feed = feedWithSams(clock);
  let sim: Simulator;
  let gw: TestGateway;
  let base: string;

  before(async () => {
    // No timer within reach of a test: a socket that ends here ended by the logout's announcement.
    ({ sim, gw, base } = await startLoginGateway(clock, feed, HOUR_MS, { DASHBOARD_TOKEN: OPERATOR_TOKEN }));
    await gw.addRoute({
      kind: 'fleet-login',
      host: '127.0.0.1',
      path: '/tesla-eu',
      fleetLogin: { region: 'eu' },
    });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test("logging out closes the socket with 4401 and says to log in again; the operators' socket stays", async () => {
    const person = await loggedIn(base);
    const socket = await person.socket();
    const operators = await connectDashboard(
      `ws://127.0.0.1:${gw.port}/fleet/dashboard/ws?token=${OPERATOR_TOKEN}`,
    );
    assert.equal((await operators.next()).type, 'snapshot');
    const cookie = person.cookie();

    await person.logout();
    assert.deepEqual(await socket.closed, SIGNED_OUT);
    // A page that connected again would be refused, and is told why: no loop of accepted sockets.
    const again = await refusedUpgrade(base, cookie);
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'FLEET_SESSION_MISSING');

    feed.push(vehicleData(SAMS[0]!, clock(), { VehicleSpeed: 57 }));
    const record = await operators.next();
    assert.deepEqual([record.type, record.vin, record.fields.VehicleSpeed], ['V', SAMS[0], 57]);
    operators.ws.close();
  });

  test('a login whose tokens are forgotten (Tesla refused to renew them) closes its socket too', async () => {
    const person = await loggedIn(base);
    const socket = await person.socket();
    const accounts = gw.gateway.store.collection(TESLA_ACCOUNTS);
    const [account] = await accounts.list();
    assert.ok(account, 'the login stored its account');
    // What a refresh Tesla refuses does to the account.
    await accounts.delete(account.id);
    assert.deepEqual(await socket.closed, SIGNED_OUT);
    const again = await refusedUpgrade(base, person.cookie());
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'FLEET_LOGIN_REQUIRED');
  });

  test("another person's login and logout leave an open socket streaming", async () => {
    const sam = await loggedIn(base);
    const socket = await sam.socket();
    const eva = await loggedIn(`${gw.url}/tesla-eu`, { email: 'fahrer@example.eu' });
    await eva.logout();
    // Heard by every open socket, looked at by each, and Sam's login still holds.
    feed.push(vehicleData(SAMS[0]!, clock(), { VehicleSpeed: 61 }));
    const record = await socket.next();
    assert.deepEqual([record.vin, record.fields.VehicleSpeed], [SAMS[0], 61]);
    await sam.logout();
    assert.deepEqual(await socket.closed, SIGNED_OUT);
  });

  test('a logout in another browser of the same Tesla account ends the socket: its tokens are gone', async () => {
    const here = await loggedIn(base);
    const socket = await here.socket();
    const elsewhere = await loggedIn(base);
    await elsewhere.logout();
    assert.deepEqual(await socket.closed, SIGNED_OUT);
  });
});

describe("a Tesla login's open dashboard ends when the session expires by the gateway's clock", () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  const feed = feedWithSams(clock);
  let sim: Simulator;
  let gw: TestGateway;
  let base: string;

  before(async () => {
    ({ sim, gw, base } = await startLoginGateway(clock, feed, 20));
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('the socket streams until the session ends, then closes with 4401 saying the login expired', async () => {
    const person = await loggedIn(base);
    const socket = await person.socket();
    clock.advance(SESSION_MS - 1000);
    feed.push(vehicleData(SAMS[1]!, clock(), { VehicleSpeed: 30 }));
    assert.equal((await socket.next()).vin, SAMS[1], 'a second before the end it still streams');
    clock.advance(1000);
    assert.deepEqual(await socket.closed, EXPIRED);
    const again = await refusedUpgrade(base, person.cookie());
    assert.equal(again.status, 401);
  });
});

describe('a logout on one node closes the socket open on another (Redis)', () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  let sim: Simulator;
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;

  before(async () => {
    sim = await simulator(clock);
    redis = await startRedis();
    const env = {
      ...TESLA_ENV,
      TESLA_SIMULATOR: sim.url,
      GATEHOUSE_SECRET_KEY: 'a passphrase both nodes share',
    };
    const node = () =>
      startTestGateway({
        clock,
        env,
        flags: { store: redis.url },
        telemetryFeed: feedWithSams(clock),
        fleetLoginCheckMs: HOUR_MS,
      });
    a = await node();
    b = await node();
    await a.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
    await sim?.stop();
  });

  test('logged out through node A, the socket on node B closes with 4401', async () => {
    // The session cookie is for the host, 127.0.0.1, whichever port (node) serves it.
    const person = await loggedIn(`${a.url}/tesla`);
    const onB = await connectDashboard(`ws://127.0.0.1:${b.port}/tesla/dashboard/ws`, {
      cookie: person.cookie(),
    });
    assert.equal((await onB.next()).type, 'snapshot');
    await person.logout(`${a.url}/tesla`);
    assert.deepEqual(await onB.closed, SIGNED_OUT);
  });
});
