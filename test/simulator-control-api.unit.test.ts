import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { createControlApp } from '../src/simulator/control-api.ts';
import { loadVehicleCa } from '../src/simulator/vehicle-ca.ts';
import type { VehicleStreams } from '../src/simulator/vehicle-streams.ts';
import { simulatorParts } from './helpers/simulator-parts.ts';

// The simulator's /sim control API, called with app.request(): no socket.
// test/fleet-simulator-*.test.ts drive it through a listening simulator.

const BLUE = '5YJ3E7EB2NF000001';
const OWL = '7SAYGDEE1PF000002';

/** The control app over a fresh world; `streams` when the simulator streams telemetry. */
async function controlApp(streams?: VehicleStreams) {
  const parts = await simulatorParts();
  const ca = await loadVehicleCa(undefined, parts.clock);
  const app = createControlApp({ world: parts.world, ca, streams });
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : {
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': type },
          }),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each pinned down by the test's assertions
    return { status: res.status, headers: res.headers, body: (json ? JSON.parse(text) : text) as any };
  };
  return { ...parts, ca, call };
}

describe('simulator control API', () => {
  test('the state lists apps, accounts and vehicles, without secrets', async () => {
    const { call } = await controlApp();
    const state = (await call('GET', '/sim/state')).body;
    assert.equal(state.now, '2025-06-01T12:00:00.000Z');
    assert.deepEqual(
      state.apps.map((a: { client_id: string }) => a.client_id),
      ['gatehouse-sim-client'],
    );
    const text = JSON.stringify(state);
    assert.ok(text.includes(BLUE) && text.includes(OWL));
    assert.doesNotMatch(text, /gatehouse-sim-secret|"password"/);
  });

  test('a vehicle changes state, by VIN or by id, and says so to whoever listens', async () => {
    const { call, world } = await controlApp();
    const changed: string[] = [];
    world.onVehicleChange((vin) => changed.push(vin));
    assert.deepEqual((await call('POST', `/sim/vehicles/${OWL}`, { state: 'online' })).body, {
      vin: OWL,
      state: 'online',
    });
    const id = world.vehicles.get(BLUE)!.id;
    assert.deepEqual((await call('POST', `/sim/vehicles/${id}`, { state: 'offline' })).body, {
      vin: BLUE,
      state: 'offline',
    });
    assert.deepEqual(changed, [OWL, BLUE]);
  });

  test('pairing a domain and removing it again', async () => {
    const { call, world } = await controlApp();
    const paired = await call('POST', `/sim/vehicles/${BLUE}/pair`, { domain: 'https://app.example.com/' });
    assert.deepEqual(paired.body, { vin: BLUE, paired_domains: ['app.example.com'] });
    assert.ok(world.vehicles.get(BLUE)!.pairedDomains.has('app.example.com'));
    const removed = await call('DELETE', `/sim/vehicles/${BLUE}/pair/app.example.com`);
    assert.deepEqual(removed.body, { vin: BLUE, paired_domains: [] });
  });

  test('the CA certificate, and a vehicle certificate it issued for the VIN', async () => {
    const { call, ca } = await controlApp();
    const pem = await call('GET', '/sim/ca.pem');
    assert.equal(pem.headers.get('content-type'), 'application/x-pem-file');
    assert.equal(pem.body, ca.certPem);
    const issued = (await call('POST', `/sim/vehicles/${BLUE}/certificate`)).body;
    const cert = new X509Certificate(issued.certPem);
    assert.equal(cert.subject, `CN=${BLUE}`);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.match(issued.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  test('streams: what the streaming simulator reports, 404 from one that does not stream', async () => {
    const streams: VehicleStreams = {
      streamsOf: (vin) => [{ vin, client_id: 'gatehouse-sim-client', connected: true }],
      stop: async () => {},
    };
    const streaming = await controlApp(streams);
    assert.deepEqual((await streaming.call('GET', `/sim/vehicles/${BLUE}/stream`)).body, {
      vin: BLUE,
      streams: [{ vin: BLUE, client_id: 'gatehouse-sim-client', connected: true }],
    });
    const quiet = await (await controlApp()).call('GET', `/sim/vehicles/${BLUE}/stream`);
    assert.equal(quiet.status, 404);
    assert.equal(quiet.body.error, 'SIM_NOT_FOUND');
    assert.match(quiet.body.message, /gatehouse fleet simulate does/);
  });

  // [what is wrong, request, body, the answer: status and error code]
  const cases: [name: string, request: string, body: unknown, answer: string][] = [
    ['no body', `POST /sim/vehicles/${BLUE}`, undefined, '400 SIM_BAD_REQUEST'],
    ['cut-off JSON', `POST /sim/vehicles/${BLUE}`, '{"state":', '400 SIM_BAD_REQUEST'],
    ['a JSON array', `POST /sim/vehicles/${BLUE}`, ['online'], '400 SIM_BAD_REQUEST'],
    ['a state Tesla has not', `POST /sim/vehicles/${BLUE}`, { state: 'driving' }, '400 SIM_BAD_REQUEST'],
    ['a state that is not a string', `POST /sim/vehicles/${BLUE}`, { state: 1 }, '400 SIM_BAD_REQUEST'],
    ['pairing without a domain', `POST /sim/vehicles/${BLUE}/pair`, {}, '400 SIM_BAD_REQUEST'],
    ['pairing a blank domain', `POST /sim/vehicles/${BLUE}/pair`, { domain: ' ' }, '400 SIM_BAD_REQUEST'],
    ['an unknown VIN', 'POST /sim/vehicles/5YJ3E7EB2NF999999', { state: 'online' }, '404 SIM_NOT_FOUND'],
    ['a certificate of no vehicle', 'POST /sim/vehicles/nope/certificate', undefined, '404 SIM_NOT_FOUND'],
    ['an unknown control endpoint', 'GET /sim/nothing', undefined, '404 SIM_NOT_FOUND'],
  ];
  for (const [name, request, body, answer] of cases) {
    test(`${name}: ${answer}`, async () => {
      const { call, world } = await controlApp();
      const before = JSON.stringify(world.snapshot());
      const [method, path] = request.split(' ') as [string, string];
      const res = await call(method, path, body);
      const [status, error] = answer.split(' ');
      assert.equal(res.status, Number(status));
      assert.equal(res.body.error, error);
      assert.equal(typeof res.body.message, 'string');
      assert.equal(JSON.stringify(world.snapshot()), before, 'nothing changed');
    });
  }
});
