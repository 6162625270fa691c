import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Clock } from '../../src/core/clock.ts';
import { createLogger, type Logger } from '../../src/core/logger.ts';
import { type Gateway, type GatewayOptions, startGateway } from '../../src/gateway/gateway.ts';
import type { Route } from '../../src/routes/route.ts';
import type { Store } from '../../src/store/types.ts';

export const ADMIN_KEY = 'gk_test-admin-key-0123456789abcdef';

/** A gateway started in this process on a loopback port, with helpers to call it. */
export interface TestGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Calls the admin API with the admin key; parses JSON answers. */
  api(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
    // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each pinned down by the test's assertions
  ): Promise<{ status: number; body: any }>;
  /** Sends a request through the proxy with the given Host. */
  send(
    host: string,
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
  /** Adds a route and returns it. */
  addRoute(route: Record<string, unknown>): Promise<Route>;
  stop(): Promise<void>;
}

/** Starts a gateway with a fresh data directory (or the one given, to test restarts). */
export async function startTestGateway(
  options: {
    dataDir?: string;
    flags?: Record<string, string | boolean | undefined>;
    env?: Record<string, string>;
    store?: Store;
    adminKey?: string | null;
    environment?: string;
    relayNetwork?: GatewayOptions['relayNetwork'];
    clock?: Clock;
    /** How fleet-login routes reach Tesla (the simulator), to count or watch the calls. */
    fleetFetch?: GatewayOptions['fleetFetch'];
    /** Telemetry sinks beside the built-in ones, by name. */
    telemetrySinks?: GatewayOptions['telemetrySinks'];
    /** The records the dashboard shows. */
    telemetryFeed?: GatewayOptions['telemetryFeed'];
    /** A dashboard build of the test's own. */
    dashboardDir?: string;
    /** How often a Tesla login's open dashboard looks whether the login still holds. */
    fleetLoginCheckMs?: number;
    /** An admin app build of the test's own. */
    adminAppDir?: string;
    /** The authorization server protected routes check tokens against. */
    routeAuth?: GatewayOptions['routeAuth'];
    /** Where the gateway logs; silent unless given. */
    logger?: Logger;
  } = {},
): Promise<TestGateway> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const config = loadConfig({
    flags: { port: '0', host: '127.0.0.1', data: dataDir, 'log-level': 'silent', ...options.flags },
    env: options.env ?? {},
  });
  const gateway = await startGateway({
    config,
    logger: options.logger ?? createLogger('silent'),
    adminKey: options.adminKey === null ? undefined : (options.adminKey ?? ADMIN_KEY),
    ...(options.store ? { store: options.store } : {}),
    environment: options.environment,
    ...(options.relayNetwork ? { relayNetwork: options.relayNetwork } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fleetFetch ? { fleetFetch: options.fleetFetch } : {}),
    ...(options.telemetrySinks ? { telemetrySinks: options.telemetrySinks } : {}),
    ...(options.telemetryFeed ? { telemetryFeed: options.telemetryFeed } : {}),
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    ...(options.fleetLoginCheckMs ? { fleetLoginCheckMs: options.fleetLoginCheckMs } : {}),
    ...(options.adminAppDir ? { adminAppDir: options.adminAppDir } : {}),
    ...(options.routeAuth ? { routeAuth: options.routeAuth } : {}),
  });
  const url = `http://127.0.0.1:${gateway.httpPort}`;

  const api: TestGateway['api'] = async (method, path, body, key = ADMIN_KEY) => {
    const res = await request(`${url}${path}`, {
      method: method as 'GET',
      headers: {
        host: 'localhost',
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };

  const send: TestGateway['send'] = async (host, path, init = {}) => {
    const res = await request(`${url}${path}`, {
      method: (init.method ?? 'GET') as 'GET',
      headers: { host, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };

  return {
    gateway,
    url,
    port: gateway.httpPort,
    dataDir,
    api,
    send,
    async addRoute(route) {
      const res = await api('POST', '/api/v1/routes/', route);
      if (res.status !== 201)
        throw new Error(`adding route failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async stop() {
      await gateway.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
