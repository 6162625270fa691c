import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../contenders/gatehouse.ts';
import { type Running, rssBytes, run, waitForOutput } from '../lib/process.ts';
import { type Row, record, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

const SWARM = fileURLToPath(new URL('../servers/tunnel-swarm.ts', import.meta.url));

/** Steps {@link idleTunnels} reports. */
export const idleTunnelSteps = (ctx: Pick<BenchContext, 'budget'>) => 1 + ctx.budget.rounds;

/** Lets the process finish start-up work and its memory settle before a reading. */
const SETTLE_MS = 2_000;

/**
 * Scenario 4: many agents connect to one fresh gateway and stay idle. The gateway's memory growth
 * divided by the number of tunnels is what one more idle tunnel costs the server.
 */
export async function idleTunnels(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.budget.idleTunnels;
  const row: Row = { contender: 'gatehouse', label: 'Gatehouse', samples: {}, failures: 0 };
  const spec = {
    id: 'idle-tunnels',
    title: `${n.toLocaleString('en-US')} idle tunnels`,
    description: `A fresh gateway per round; ${n.toLocaleString('en-US')} agents (one process, 100 connecting at a time) connect and stay idle. Memory is resident-set growth after ${SETTLE_MS / 1000} s of quiet, divided by the number of tunnels.`,
    metrics: [
      { key: 'kibPerTunnel', label: 'server memory per tunnel', unit: 'KiB', better: 'lower', digits: 1 },
      { key: 'connectS', label: 'time to connect all', unit: 's', better: 'lower', digits: 2 },
      { key: 'agentKibPerTunnel', label: 'agent memory per tunnel', unit: 'KiB', better: 'lower', digits: 1 },
    ] as const,
    rows: [row],
  };
  const dir = join(ctx.dir, 'idle');
  const flags = ['--tunnel-max-per-key', String(n + 10), '--log-level', 'warn'];

  ctx.progress.step(`${spec.title} · creating ${n} tunnels`);
  const setup = await startGateway(dir, 'gateway', flags);
  const tunnels: { name: string; key: string }[] = [];
  let created = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (created < n) {
        const res = await setup.api('POST', '/api/v1/tunnels/', { name: `idle-${created++}` });
        if (res.status !== 201)
          throw new Error(`creating a tunnel: ${res.status} ${JSON.stringify(res.body)}`);
        tunnels.push({ name: String(res.body['name']), key: String(res.body['key']) });
      }
    }),
  );
  await setup.program.stop();
  const list = join(dir, 'tunnels.json');
  writeFileSync(list, JSON.stringify(tunnels));

  for (let round = 0; round < ctx.budget.rounds; round++) {
    ctx.progress.step(`${spec.title} · round ${round + 1}/${ctx.budget.rounds}`);
    const gateway = await startGateway(dir, 'gateway', flags);
    const gatewayPid = gateway.program.child.pid!;
    let swarm: Running | undefined;
    try {
      await sleep(SETTLE_MS);
      const before = rssBytes(gatewayPid);
      swarm = run(
        'tunnel swarm',
        process.execPath,
        ['--import', 'tsx', SWARM, gateway.url, `http://127.0.0.1:${ctx.originPort}`, list],
        { logFile: join(dir, `swarm-${round}.log`) },
      );
      const online = await waitForOutput(swarm, /online (\d+) (\d+) (\d+) (\d+)/, 120_000);
      await sleep(SETTLE_MS);
      const after = rssBytes(gatewayPid);
      record(row, {
        kibPerTunnel: (after - before) / 1024 / n,
        connectS: Number(online[2]) / 1000,
        agentKibPerTunnel: (Number(online[4]) - Number(online[3])) / 1024 / n,
      });
    } catch (error) {
      row.failures++;
      ctx.progress.note(`${spec.title}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await swarm?.stop();
      await gateway.program.stop();
    }
  }
  return spec;
}
