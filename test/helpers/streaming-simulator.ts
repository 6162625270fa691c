import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/core/clock.ts';
import { signSs256Jws } from '../../src/fleet/ss256.ts';
import type { Simulator } from '../../src/simulator/simulator.ts';
import { VirtualFleet, type VirtualFleetOptions } from '../../src/simulator/vehicles/virtual-fleet.ts';
import {
  driverSeed,
  fleet,
  newFleetKey,
  partnerToken,
  registerPartner,
  startTestSimulator,
} from './fleet-simulator.ts';
import { startTestTelemetryServer, type TestTelemetryServer } from './mtls-telemetry-server.ts';
import { tempDir } from './temp-dirs.ts';

/** The application domain the streaming tests register and pair. */
export const STREAM_DOMAIN = 'app.example.test';
/** The host name telemetry configurations name; resolved to the test server. */
export const TELEMETRY_HOST = 'telemetry.example.test';

/** A simulator whose vehicles stream, on a manual clock, with its partner registered. */
export interface StreamingSetup {
  readonly sim: Simulator & { clock: ManualClock };
  readonly vehicles: VirtualFleet;
  readonly server: TestTelemetryServer;
  readonly resolve: Map<string, { address: string; port: number }>;
  /** Sends a signed configuration (defaults: the test server, the simulator's CA) to `vins`. */
  configure(vins: string[], config: Record<string, unknown>): Promise<void>;
  /** Deletes the configuration of `vin`. */
  unconfigure(vin: string): Promise<void>;
  /** Moves the clock and runs what came due. */
  advance(ms: number): void;
  /** The state of the vehicle's one stream. */
  stream(vin: string): Record<string, unknown> | undefined;
}

/** A vehicle of the setup: its VIN, or its VIN with seed settings of its own. */
export type StreamingVehicle = string | ({ vin: string } & Partial<SeedVehicleInput>);

type SeedVehicleInput = NonNullable<Parameters<typeof driverSeed>[1]>[number];

/** Starts a streaming simulator for `vins` (paired, online) and a test mTLS server for them. */
export async function startStreamingSetup(
  vins: StreamingVehicle[],
  options: VirtualFleetOptions = {},
): Promise<StreamingSetup> {
  const seed = driverSeed(
    STREAM_DOMAIN,
    vins.map((v) => ({
      firmware: '2024.38.4',
      paired_domains: [STREAM_DOMAIN],
      ...(typeof v === 'string' ? { vin: v } : v),
    })),
  );
  const resolve = new Map<string, { address: string; port: number }>();
  const trust: string[] = [];
  let vehicles: VirtualFleet | undefined;
  const sim = await startTestSimulator({
    seed,
    resolve,
    trust,
    streams: (deps) => {
      vehicles = new VirtualFleet(deps, { realTimers: false, seed: 'test', ...options });
      return vehicles;
    },
  });
  const key = newFleetKey();
  const registered = await registerPartner(
    sim,
    { resolve, trust },
    tempDir('gatehouse-stream-'),
    STREAM_DOMAIN,
    key,
  );
  assert.equal(registered.status, 200, registered.text);
  const partner = await partnerToken(sim);
  const serverCert = await sim.ca.issueServerCertificate([TELEMETRY_HOST]);
  const server = await startTestTelemetryServer({
    cert: serverCert.certPem,
    key: serverCert.keyPem,
    clientCa: sim.ca.certPem,
  });
  resolve.set(TELEMETRY_HOST, { address: '127.0.0.1', port: server.port });
  const fleetOf = vehicles!;
  return {
    sim,
    vehicles: fleetOf,
    server,
    resolve,
    async configure(targets, config) {
      const claims = {
        hostname: TELEMETRY_HOST,
        port: 443,
        ca: sim.ca.certPem,
        exp: Math.floor(sim.clock() / 1000) + 86_400,
        ...config,
      };
      const res = await fleet(sim, partner, 'POST', '/api/1/vehicles/fleet_telemetry_config_jws', {
        body: { vins: targets, token: signSs256Jws(key, claims) },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal((res.body['response'] as Record<string, unknown>)['updated_vehicles'], targets.length);
    },
    async unconfigure(vin) {
      const res = await fleet(sim, partner, 'DELETE', `/api/1/vehicles/${vin}/fleet_telemetry_config`);
      assert.equal(res.status, 200, res.text);
    },
    advance(ms) {
      sim.clock.advance(ms);
      fleetOf.tick();
    },
    stream: (vin) => fleetOf.streamsOf(vin)[0],
  };
}
