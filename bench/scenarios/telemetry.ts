import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadVehicleCa } from '../../src/simulator/vehicle-ca.ts';
import { startRedis } from '../../test/helpers/redis.ts';
import { type Gateway, startGateway } from '../contenders/gatehouse.ts';
import { freePort, type Running, rssBytes, run, waitForOutput, waitForPort } from '../lib/process.ts';
import { type Row, record, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

const LOAD = fileURLToPath(new URL('../servers/telemetry-load.ts', import.meta.url));
const DASHBOARD_TOKEN = 'bench-dashboard-token-0123456789';
const SETTLE_MS = 2_000;

/** Why Tesla's own server has no row of numbers beside Gatehouse's. */
export const TESLA_SERVER_UNAVAILABLE =
  'no Go toolchain here; Debian’s golang-go could compile it, but its Go modules come from the internet, which this machine cannot reach';

/** Steps {@link telemetry} reports. */
export const telemetrySteps = (ctx: Pick<BenchContext, 'budget'>) =>
  1 + 2 * ctx.budget.rounds + ctx.budget.idleVehicleSteps.length;

interface Receiver {
  readonly gateway: Gateway;
  readonly wsUrl: string;
}

async function startReceiver(dir: string, name: string, telemetry?: object): Promise<Receiver> {
  const port = await freePort();
  const flags = [
    '--log-level',
    'warn',
    '--telemetry-port',
    String(port),
    '--telemetry-host',
    '127.0.0.1',
    '--telemetry-cert',
    join(dir, 'server.pem'),
    '--telemetry-key',
    join(dir, 'server.key'),
    '--telemetry-ca',
    join(dir, 'vehicle-ca.pem'),
  ];
  if (telemetry) {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({ telemetry }));
    flags.push('--config', config);
  }
  const gateway = await startGateway(dir, name, flags, { DASHBOARD_TOKEN });
  await waitForPort(port);
  return { gateway, wsUrl: `wss://127.0.0.1:${port}/` };
}

function load(dir: string, name: string, args: (string | number)[]): Running {
  return run(name, process.execPath, ['--import', 'tsx', LOAD, ...args.map(String)], {
    logFile: join(dir, `${name}.log`),
  });
}

/**
 * Scenario 7: Tesla's telemetry wire format into `gatehouse serve --telemetry-port`, from a
 * separate process of lean virtual vehicles over mTLS WebSockets: how many messages one receiver
 * process decodes, acks and fans out to a dashboard; what an idle vehicle connection costs; and the
 * ack latency when the ack waits for Redis.
 */
export async function telemetry(ctx: BenchContext): Promise<ScenarioResult> {
  const b = ctx.budget;
  const steps = b.idleVehicleSteps;
  const row: Row = { contender: 'gatehouse', label: 'Gatehouse', samples: {}, failures: 0 };
  const tesla: Row = {
    contender: 'tesla-fleet-telemetry',
    label: 'Tesla fleet-telemetry (Go)',
    samples: {},
    failures: 0,
    unavailable: TESLA_SERVER_UNAVAILABLE,
  };
  const fmt = (n: number) => n.toLocaleString('en-US');
  const spec: ScenarioResult = {
    id: 'telemetry',
    title: 'Fleet Telemetry receiver',
    description: `One \`gatehouse serve --telemetry-port\` process; virtual vehicles in another (a lean load generator that encodes its frames up front, not the simulator's vehicles), each with its own mTLS certificate. Rate: ${fmt(b.telemetryVehicles)} vehicles, ${8} frames of 7 fields unacked each, acks counted over ${b.telemetrySeconds} s, with a dashboard WebSocket subscribed (its messages/s shown). Memory: resident-set growth after ${SETTLE_MS / 1000} s of quiet with ${steps.map(fmt).join(' → ')} idle vehicles, per connection (at the last step). Latency: ${fmt(b.telemetryRate)} msg/s on a fixed schedule from 100 vehicles for ${b.telemetrySeconds} s after 1 s at that rate unmeasured, \`reliableAck: {V: redis}\` to a real redis-server, send → ack.`,
    metrics: [
      { key: 'msgPerS', label: 'acked msg/s', unit: '', better: 'higher', digits: 0 },
      { key: 'dashboardPerS', label: 'dashboard msg/s', unit: '', better: 'higher', digits: 0 },
      { key: 'vehicles', label: 'idle vehicles connected', unit: '', better: 'higher', digits: 0 },
      { key: 'kibPerVehicle', label: 'memory per idle vehicle', unit: 'KiB', better: 'lower', digits: 1 },
      { key: 'ackP50Ms', label: 'ack p50 (Redis)', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'ackP99Ms', label: 'ack p99 (Redis)', unit: 'ms', better: 'lower', digits: 2 },
    ],
    rows: [row, tesla],
  };
  const dir = join(ctx.dir, 'telemetry');
  mkdirSync(dir, { recursive: true });
  const note = (what: string, error: unknown) => {
    row.failures++;
    ctx.progress.note(`${spec.title} · ${what}: ${(error as Error).message.split('\n')[0]}`);
  };

  ctx.progress.step(`${spec.title} · certificates`);
  const ca = await loadVehicleCa(dir, () => Date.now());
  const server = await ca.issueServerCertificate(['127.0.0.1']);
  writeFileSync(join(dir, 'server.pem'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem);

  await measureRate(ctx, dir, row, note);
  await measureIdle(ctx, dir, row, note);
  await measureLatency(ctx, dir, row, note);
  return spec;
}

type Note = (what: string, error: unknown) => void;

async function measureRate(ctx: BenchContext, dir: string, row: Row, note: Note): Promise<void> {
  const b = ctx.budget;
  const receiver = await startReceiver(dir, 'receiver-rate');
  try {
    for (let round = 0; round < b.rounds; round++) {
      ctx.progress.step(`Fleet Telemetry · ${b.telemetryVehicles} vehicles streaming · round ${round + 1}`);
      const dashboard = `ws://127.0.0.1:${receiver.gateway.port}/fleet/dashboard/ws?token=${DASHBOARD_TOKEN}`;
      const gen = load(dir, `rate-${round}`, [
        'throughput',
        receiver.wsUrl,
        dir,
        b.telemetryVehicles,
        b.telemetrySeconds,
        dashboard,
      ]);
      try {
        const m = await waitForOutput(gen, /result (\d+) ([\d.]+) (\d+)/, 120_000);
        const seconds = Number(m[2]);
        record(row, { msgPerS: Number(m[1]) / seconds, dashboardPerS: Number(m[3]) / seconds });
        if (/dashboard closed/.test(gen.output())) note('dashboard', new Error('the dashboard was closed'));
      } catch (error) {
        note('rate', error);
      } finally {
        await gen.stop();
      }
    }
  } finally {
    await receiver.gateway.program.stop();
  }
}

async function measureIdle(ctx: BenchContext, dir: string, row: Row, note: Note): Promise<void> {
  const steps = ctx.budget.idleVehicleSteps;
  const receiver = await startReceiver(dir, 'receiver-idle');
  const pid = receiver.gateway.program.child.pid!;
  let gen: Running | undefined;
  try {
    await sleep(SETTLE_MS);
    const before = rssBytes(pid);
    gen = load(dir, 'idle', ['idle', receiver.wsUrl, dir, steps.join(',')]);
    for (const step of steps) {
      ctx.progress.step(`Fleet Telemetry · ${step.toLocaleString('en-US')} idle vehicles`);
      await waitForOutput(gen, new RegExp(`connected ${step}\\n`), 300_000);
      await sleep(SETTLE_MS);
      const kib = (rssBytes(pid) - before) / 1024 / step;
      ctx.progress.note(`Fleet Telemetry · ${step} idle vehicles: ${kib.toFixed(1)} KiB each`);
      if (step === steps.at(-1)) record(row, { vehicles: step, kibPerVehicle: kib });
      gen.child.kill('SIGUSR1');
    }
  } catch (error) {
    note('idle vehicles', error);
  } finally {
    await gen?.stop();
    await receiver.gateway.program.stop();
  }
}

async function measureLatency(ctx: BenchContext, dir: string, row: Row, note: Note): Promise<void> {
  const b = ctx.budget;
  const redis = await startRedis();
  const receiver = await startReceiver(dir, 'receiver-redis', {
    records: { V: ['store', 'redis'] },
    reliableAck: { V: 'redis' },
    sinks: { redis: { url: redis.url } },
  });
  try {
    for (let round = 0; round < b.rounds; round++) {
      ctx.progress.step(`Fleet Telemetry · ack latency with Redis · round ${round + 1}`);
      const args = ['latency', receiver.wsUrl, dir, 100, b.telemetryRate, b.telemetrySeconds];
      const gen = load(dir, `latency-${round}`, args);
      try {
        const m = await waitForOutput(gen, /latency ([\d.]+) ([\d.]+) (\d+) (\d+)/, 120_000);
        record(row, { ackP50Ms: Number(m[1]), ackP99Ms: Number(m[2]) });
        row.failures += Number(m[4]) - Number(m[3]);
      } catch (error) {
        note('latency', error);
      } finally {
        await gen.stop();
      }
    }
  } finally {
    await receiver.gateway.program.stop();
    await redis.stop();
  }
}
