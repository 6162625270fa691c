import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { hmacHex, registrationMessage } from '../../src/relay/signature.ts';
import type { Target } from '../lib/load.ts';
import { freePort, type Running, run, waitForOutput } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

const CLI = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
const ADMIN_KEY = `gk_bench-${randomBytes(12).toString('hex')}`;
const RELAY_SECRET = randomBytes(32).toString('hex');

/** A JSON object from the admin API. */
export type Json = Record<string, unknown>;

/** A `gatehouse serve` process from the compiled build, with helpers for its admin API. */
export interface Gateway {
  readonly program: Running;
  readonly port: number;
  readonly url: string;
  api(method: string, path: string, body?: unknown, host?: string): Promise<{ status: number; body: Json }>;
}

/** Starts `gatehouse serve` with its own data directory and waits until it is ready. */
export async function startGateway(
  dir: string,
  name: string,
  flags: string[] | ((port: number) => string[]) = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Gateway> {
  const data = join(dir, name);
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const extra = typeof flags === 'function' ? flags(port) : flags;
  const program = run(
    name,
    process.execPath,
    [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', data, ...extra],
    {
      logFile: join(data, 'gatehouse.log'),
      env: {
        GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
        GATEHOUSE_ENV: 'dev',
        GATEHOUSE_RELAY_SECRET: RELAY_SECRET,
        ...env,
      },
    },
  );
  await waitForOutput(program, /proxy +http:\/\/\*:\d+/);
  const url = `http://127.0.0.1:${port}`;
  return {
    program,
    port,
    url,
    async api(method, path, body, host = 'localhost') {
      // undici's `request`, not fetch: fetch would drop the Host header that picks the relay route.
      const res = await request(url + path, {
        method: method as 'GET',
        headers: { host, authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : {} };
    },
  };
}

async function expectStatus(
  done: Promise<{ status: number; body: Json }>,
  status: number,
  what: string,
): Promise<Json> {
  const res = await done;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Starts the agent of `tunnel` (the CLI, with its defaults) and waits until it is online. */
export async function startAgent(
  dir: string,
  gateway: Gateway,
  tunnel: { name: string; key: string },
  local: string,
): Promise<Running> {
  const inspector = await freePort();
  const agent = run(
    'gatehouse tunnel',
    process.execPath,
    [
      CLI,
      'tunnel',
      local,
      '--server',
      gateway.url,
      '--name',
      tunnel.name,
      '--key',
      tunnel.key,
      '--json',
      '--inspect',
      `127.0.0.1:${inspector}`,
    ],
    { logFile: join(dir, `agent-${tunnel.name}.log`) },
  );
  await waitForOutput(agent, /"event":"online"/);
  return agent;
}

/** Gatehouse as edge proxy, tunnel and callback relay, on one gateway process. */
export interface GatehouseSetup {
  readonly edge: Contender;
  readonly tunnel: Contender;
  /** The relay route's callback URL target; {@link mapState} makes a state relay to the tunnel. */
  readonly relay: Target;
  readonly callbackPath: string;
  mapState(state: string): Promise<void>;
}

const DEVELOPER = 'bench';

/** Starts one gateway with an edge route, a relay route and a tunnel whose agent runs beside it. */
export async function startGatehouse(ctx: SetupContext): Promise<GatehouseSetup> {
  const origin = `http://127.0.0.1:${ctx.originPort}`;
  const gateway = await startGateway(ctx.dir, 'gateway', ['--relay']);
  await expectStatus(
    gateway.api('POST', '/api/v1/routes/', { host: 'edge.localhost', target: origin }),
    201,
    'edge route',
  );
  const relayRoute = await expectStatus(
    gateway.api('POST', '/api/v1/routes/', { host: 'relay.localhost', target: origin, relay: {} }),
    201,
    'relay route',
  );
  const tunnel = (await expectStatus(
    gateway.api('POST', '/api/v1/tunnels/', { name: 'bench' }),
    201,
    'tunnel',
  )) as { name: string; key: string };
  const agent = await startAgent(ctx.dir, gateway, tunnel, origin);

  const signed = (subject: string) => {
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      developer_id: DEVELOPER,
      timestamp,
      hmac_signature: hmacHex(RELAY_SECRET, registrationMessage(subject, DEVELOPER, timestamp)),
    };
  };
  await expectStatus(
    gateway.api(
      'POST',
      '/api/v1/dev-proxy/register',
      { tunnel: 'bench', ...signed('tunnel:bench') },
      'relay.localhost',
    ),
    201,
    'relay registration',
  );
  const gatewayPid = { role: 'gateway', pid: gateway.program.child.pid! };
  return {
    edge: {
      id: 'gatehouse-edge',
      target: { url: gateway.url, host: 'edge.localhost' },
      processes: [gatewayPid],
      programs: [gateway.program],
    },
    tunnel: {
      id: 'gatehouse-tunnel',
      target: { url: gateway.url, host: 'bench.localhost' },
      processes: [gatewayPid, { role: 'agent', pid: agent.child.pid! }],
      programs: [agent],
    },
    relay: { url: gateway.url, host: 'relay.localhost' },
    callbackPath:
      (relayRoute['relay'] as { callbackPaths?: string[] } | undefined)?.callbackPaths?.[0] ??
      '/api/v1/tesla/oauth/callback',
    async mapState(state) {
      await expectStatus(
        gateway.api('POST', '/api/v1/dev-proxy/states', { state, ...signed(state) }, 'relay.localhost'),
        201,
        'state mapping',
      );
    },
  };
}
