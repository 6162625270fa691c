import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.ts';
import type { ResolveMap } from '../fleet/hosted-key.ts';
import { AccessTokens } from './access-tokens.ts';
import { createAuthApp } from './auth-app.ts';
import { createControlApp } from './control-api.ts';
import { createFleetApp } from './fleet-app.ts';
import { Grants } from './grants.ts';
import { createPairingApp } from './pairing-page.ts';
import { RateLimiter } from './rate-limit.ts';
import { defaultSeed, REGIONS, type Region, type Seed } from './seed.ts';
import { Sessions } from './sessions.ts';
import { simUrls } from './urls.ts';
import { loadVehicleCa, type VehicleCa } from './vehicle-ca.ts';
import type { VehicleStreams, VehicleStreamsFactory } from './vehicle-streams.ts';
import { World } from './world.ts';

/** How to start a simulator. */
export interface SimulatorOptions {
  /** 0 (the default) takes a free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1: the control API has no authentication. */
  readonly host?: string | undefined;
  /** Default {@link defaultSeed}. */
  readonly seed?: Seed | undefined;
  readonly clock?: Clock | undefined;
  /** Where partner domains really are, for fetching hosted keys. */
  readonly resolve?: ResolveMap | undefined;
  /** CA certificates (PEM) trusted for partner domains besides the system's. */
  readonly trust?: readonly string[] | undefined;
  /** Holds the vehicles' CA; without it the CA lasts as long as the process. */
  readonly dataDir?: string | undefined;
  readonly logger?: Logger | undefined;
  /** Makes configured vehicles stream telemetry; without it configurations are only stored. */
  readonly streams?: VehicleStreamsFactory | undefined;
}

/** A running simulator of Tesla's cloud. */
export interface Simulator {
  /** The origin, e.g. `http://127.0.0.1:4400`. */
  readonly url: string;
  /** `TESLA_AUTH_URL` for the kit: `{url}/oauth2/v3`. */
  readonly authBaseUrl: string;
  /** A region's Fleet API base URL (also a valid token `audience`). */
  regionBaseUrl(region: Region): string;
  readonly ca: VehicleCa;
  readonly world: World;
  /** The vehicles' telemetry streams, when the simulator was started with a factory. */
  readonly streams: VehicleStreams | undefined;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
}

/** Starts the simulator: Tesla's OAuth server, the Fleet API of each region, and `/sim` controls. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? defaultSeed();
  const host = options.host ?? '127.0.0.1';
  const ca = await loadVehicleCa(options.dataDir, clock);

  let listener: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (listener) void listener(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const urls = simUrls(`http://${shownHost}:${port}`);

  const world = new World(seed, clock);
  const tokens = await AccessTokens.create(urls, clock, seed.token_lifetimes.access_token_seconds);
  const grants = new Grants(clock);
  const sessions = new Sessions(clock);
  const limiter = new RateLimiter(clock);
  const logger = options.logger;
  // Its own CA is trusted too: `--issue-cert` makes local domains' certificates from it.
  const trustedByOption = options.trust;
  const reach = {
    resolve: options.resolve,
    get trust() {
      return [...(trustedByOption ?? []), ca.certPem];
    },
  };

  const streams = options.streams?.({ world, ca, clock, resolve: options.resolve, logger });

  const app = new Hono();
  app.route('/', createAuthApp({ world, grants, tokens, sessions, urls, logger }));
  app.route('/', createPairingApp({ world, sessions, logger }));
  app.route('/', createControlApp({ world, ca, streams }));
  for (const region of REGIONS) {
    app.route(`/${region}`, createFleetApp({ region, world, tokens, urls, limiter, reach, logger }));
  }
  app.get('/', (c) =>
    c.json({
      simulator: 'Tesla cloud',
      auth: urls.authBaseUrl,
      regions: Object.fromEntries(REGIONS.map((r) => [r, urls.regionBaseUrl(r)])),
      control: `${urls.url}/sim/state`,
    }),
  );
  listener = getRequestListener(app.fetch);
  logger?.info({ url: urls.url }, 'simulator: listening');

  return {
    url: urls.url,
    authBaseUrl: urls.authBaseUrl,
    regionBaseUrl: urls.regionBaseUrl,
    ca,
    world,
    streams,
    stop: async () => {
      await streams?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
