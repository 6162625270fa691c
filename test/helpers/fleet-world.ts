import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolve } from '../../src/fleet/hosted-key.ts';
import { FLEET_PUBLIC_KEY_PATH, generateFleetKeyFiles } from '../../src/fleet/keys.ts';
import { DEFAULT_SEED_INPUT, type SeedInput, validateSeed } from '../../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.ts';
import { bundle, certChain, makeCert, type TestCert } from './cert-chain.ts';
import { spawnCli } from './cli-process.ts';

/** What a finished CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gatehouse <args>` to its end. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const cli = spawnCli(args, env);
  // 'close' comes after the output pipes are drained, unlike 'exit'.
  const [code] = (await once(cli.child, 'close')) as [number | null];
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** An HTTPS server on a loopback port 0 answering `answer(path)` with a certificate for `localhost`. */
export async function httpsServer(
  leaf: TestCert,
  chain: TestCert[],
  body: (path: string) => [number, string],
): Promise<{ server: Server; port: number }> {
  const server = createServer({ key: leaf.keyPem, cert: bundle(leaf, ...chain) }, (req, res) => {
    const [status, text] = body(req.url ?? '/');
    res.writeHead(status, { 'content-type': 'application/x-pem-file' }).end(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * A simulated Tesla cloud with everything around it: a fleet key, the key hosted over HTTPS for
 * `localhost` (the app's allowed origin) by a server with its own CA, and the environment a CLI
 * run needs (credentials, simulator URL, a cache directory of its own).
 */
export async function fleetWorld(seed: Partial<SeedInput> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fleet-'));
  const key = generateFleetKeyFiles(join(dir, 'key'));
  const chain = await certChain('localhost');
  const rootPath = join(dir, 'root.pem');
  writeFileSync(rootPath, chain.root.certPem);
  let hosted = readFileSync(key.publicKeyPath, 'utf8');
  const keyHost = await httpsServer(chain.leaf, [chain.intermediate], (path) =>
    path === FLEET_PUBLIC_KEY_PATH ? [200, hosted] : [404, 'not found'],
  );
  const resolve = `localhost=127.0.0.1:${keyHost.port}`;
  const sim: Simulator = await startSimulator({
    seed: validateSeed({ ...DEFAULT_SEED_INPUT, ...seed }),
    resolve: parseResolve([resolve]),
    trust: [chain.root.certPem],
    dataDir: join(dir, 'sim'),
  });
  const env = {
    TESLA_SIMULATOR: sim.url,
    TESLA_CLIENT_ID: 'gatehouse-sim-client',
    TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
    XDG_CACHE_HOME: join(dir, 'cache'),
    TESLA_PRIVATE_KEY: '',
    PUBLIC_KEY_PATH: '',
    VEHICLE_IDS: '',
    TELEMETRY_FIELDS: '',
    TESLA_ACCESS_TOKEN: '',
  };
  const state = async () =>
    (await (await fetch(`${sim.url}/sim/state`)).json()) as {
      partner_accounts: { region: string; domain: string; public_key: string }[];
      telemetry_configs: { vin: string; synced: boolean; hostname: string; error: string | null }[];
    };
  return {
    dir,
    key,
    chain,
    rootPath,
    sim,
    env,
    state,
    /** `--resolve` and `--trust` for reaching the hosted key. */
    reachFlags: ['--resolve', resolve, '--trust', rootPath],
    /** Serves another text as the hosted key from now on. */
    host(text: string) {
      hosted = text;
    },
    run: (args: string[], extra: Record<string, string> = {}) =>
      runCli(['fleet', ...args], { ...env, ...extra }),
    async pair(vin: string) {
      await fetch(`${sim.url}/sim/vehicles/${vin}/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ domain: 'localhost' }),
      });
    },
    async stop() {
      await sim.stop();
      keyHost.server.closeAllConnections();
      keyHost.server.close();
    },
    makeCert,
  };
}
