import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateApiKey } from '../../src/auth/keys/api-key.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startGateway } from '../contenders/gatehouse.ts';
import { type Running, rssBytes, run, waitForOutput } from '../lib/process.ts';
import { type Metric, type Row, record, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

const SWARM = fileURLToPath(new URL('../servers/tunnel-swarm.ts', import.meta.url));

/**
 * Writes `n` tunnels straight into the gateway's store (the admin API counts the owner's tunnels
 * under a lock for each one it creates, which takes minutes for 10,000). Keys are made and hashed
 * as the API makes them; the owner is the environment's admin key, as for the API.
 */
async function createTunnels(data: string, n: number): Promise<{ name: string; key: string }[]> {
  mkdirSync(data, { recursive: true });
  const store = await openStore({ dataDir: data });
  try {
    const createdAt = new Date().toISOString();
    const tunnels: { name: string; key: string }[] = [];
    for (let i = 0; i < n; i++) {
      const name = `idle-${i}`;
      const key = generateApiKey('gt_');
      await store.tunnels.insert({ name, owner: 'env', keyHash: key.hash, keyPrefix: key.prefix, createdAt });
      tunnels.push({ name, key: key.secret });
    }
    return tunnels;
  } finally {
    await store.close();
  }
}

/** Steps {@link idleTunnels} reports. */
export const idleTunnelSteps = (ctx: Pick<BenchContext, 'budget'>) => 1 + ctx.budget.growthRounds;

/** How long one step may take to connect before the round counts as failed. */
const STEP_TIMEOUT_MS = 120_000;

/** Lets the process finish start-up work and its memory settle before a reading. */
const SETTLE_MS = 2_000;

/** The metric key of the gateway's resident memory with `tunnels` idle tunnels. */
export const rssKey = (tunnels: number) => `rssMB_${tunnels}`;

/**
 * Scenario 4: agents connect to one fresh gateway per round and stay idle, in steps (1, 100, 1,000
 * and, in the full run, 10,000 tunnels). The gateway's resident memory is read after each step;
 * its growth at the last step divided by the number of tunnels is what one more idle tunnel costs
 * the server.
 */
export async function idleTunnels(ctx: BenchContext): Promise<ScenarioResult> {
  const steps = ctx.budget.idleTunnelSteps;
  const n = steps.at(-1)!;
  const fmt = (x: number) => x.toLocaleString('en-US');
  const row: Row = { contender: 'gatehouse', label: 'Gatehouse', samples: {}, failures: 0 };
  const spec: ScenarioResult = {
    id: 'idle-tunnels',
    title: `Up to ${fmt(n)} idle tunnels`,
    description: `A fresh gateway per round (${ctx.budget.growthRounds} ${ctx.budget.growthRounds === 1 ? 'round' : 'rounds'}); agents (one process, 100 connecting at a time) connect in steps of ${steps.map(fmt).join(' → ')} tunnels and stay idle. Resident memory is read after ${SETTLE_MS / 1000} s of quiet at each step; per tunnel is the growth at ${fmt(n)} over the gateway with none, divided by ${fmt(n)}. Time to connect all adds up the steps' connecting time (not the pauses).`,
    metrics: [
      { key: 'kibPerTunnel', label: 'server memory per tunnel', unit: 'KiB', better: 'lower', digits: 1 },
      { key: 'connectS', label: `time to connect ${fmt(n)}`, unit: 's', better: 'lower', digits: 2 },
      { key: 'agentKibPerTunnel', label: 'agent memory per tunnel', unit: 'KiB', better: 'lower', digits: 1 },
      { key: rssKey(0), label: 'server RSS, no tunnel', unit: 'MB', better: 'lower', digits: 0 },
      ...steps.map(
        (step): Metric => ({
          key: rssKey(step),
          label: `at ${fmt(step)}`,
          unit: 'MB',
          better: 'lower',
          digits: 0,
        }),
      ),
    ],
    rows: [row],
  };
  const dir = join(ctx.dir, 'idle');
  // Every agent connects from 127.0.0.1: lift the per-client connection limit (1,024 by default).
  const flags = [
    '--log-level',
    'warn',
    '--max-connections-per-client',
    String(n + 100),
    '--max-connections',
    String(n + 1000),
  ];

  ctx.progress.step(`${spec.title} · creating ${fmt(n)} tunnels`);
  const tunnels = await createTunnels(join(dir, 'gateway'), n);
  const list = join(dir, 'tunnels.json');
  writeFileSync(list, JSON.stringify(tunnels));

  const rounds = ctx.budget.growthRounds;
  for (let round = 0; round < rounds; round++) {
    ctx.progress.step(`${spec.title} · round ${round + 1}/${rounds}`);
    const gateway = await startGateway(dir, 'gateway', flags);
    const gatewayPid = gateway.program.child.pid!;
    let swarm: Running | undefined;
    const values: Record<string, number> = {};
    try {
      await sleep(SETTLE_MS);
      const before = rssBytes(gatewayPid);
      values[rssKey(0)] = before / 1e6;
      swarm = run(
        'tunnel swarm',
        process.execPath,
        ['--import', 'tsx', SWARM, gateway.url, `http://127.0.0.1:${ctx.originPort}`, list, steps.join(',')],
        { logFile: join(dir, `swarm-${round}.log`) },
      );
      for (const step of steps) {
        const online = await waitForOutput(
          swarm,
          new RegExp(`^online ${step} (\\d+) (\\d+) (\\d+)$`, 'm'),
          STEP_TIMEOUT_MS,
        );
        await sleep(SETTLE_MS);
        const rss = rssBytes(gatewayPid);
        values[rssKey(step)] = rss / 1e6;
        if (step === n) {
          Object.assign(values, {
            tunnels: n,
            kibPerTunnel: (rss - before) / 1024 / n,
            connectS: Number(online[1]) / 1000,
            agentKibPerTunnel: (Number(online[3]) - Number(online[2])) / 1024 / n,
          });
        } else {
          swarm.child.kill('SIGUSR2');
        }
      }
    } catch (error) {
      row.failures++;
      // The steps reached still count for the chart; the goals read this as not all connected.
      values['incomplete'] = 1;
      ctx.progress.note(`${spec.title}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      record(row, values);
      await swarm?.stop();
      await gateway.program.stop();
    }
  }
  return spec;
}
