import { startRedis } from '../../test/helpers/redis.ts';
import { startAgent, startGateway } from '../contenders/gatehouse.ts';
import { wrk } from '../lib/load.ts';
import { type Row, record, roundOrder, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

type NodePath = 'node-a' | 'node-b';
const LABELS: Record<NodePath, string> = {
  'node-a': 'at node A (holds the tunnel)',
  'node-b': 'at node B (links to node A)',
};

/** Steps {@link crossNode} reports: starting its servers, then one per path and round. */
export const crossNodeSteps = (ctx: Pick<BenchContext, 'budget'>) => 1 + ctx.budget.rounds * 2;

/**
 * Two gateways on one Redis, an agent connected to node A: the same small GET through the tunnel,
 * sent to node A and to node B, which reaches it over the link between the nodes. One connection,
 * so the numbers are latency, not queueing; the difference is what the extra hop costs.
 */
export async function crossNode(ctx: BenchContext): Promise<ScenarioResult> {
  const spec = {
    id: 'cross-node',
    title: 'A tunnel from another node',
    description: `Two gateways on one redis-server, the agent connected to node A; wrk, 1 connection, ${ctx.budget.loadSeconds} s per round, a small GET for the tunnel at each node.`,
    metrics: [
      { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'rps', label: 'requests/s', unit: '', better: 'higher', digits: 0 },
    ] as const,
  };
  const paths = Object.keys(LABELS) as NodePath[];
  const rows = paths.map((id): Row => ({ contender: id, label: LABELS[id], samples: {}, failures: 0 }));
  ctx.progress.step(`${spec.title} · starting Redis, two gateways and an agent`);
  const redis = await startRedis();
  const env = { GATEHOUSE_SECRET_KEY: 'cd'.repeat(32) };
  const cluster = (port: number) => ['--store', redis.url, '--node-address', `127.0.0.1:${port}`];
  const a = await startGateway(ctx.dir, 'node-a', cluster, env);
  const b = await startGateway(ctx.dir, 'node-b', cluster, env);
  const created = await a.api('POST', '/api/v1/tunnels/', { name: 'crossnode' });
  const tunnel = created.body as { name: string; key: string };
  const agent = await startAgent(ctx.dir, a, tunnel, `http://127.0.0.1:${ctx.originPort}`);
  try {
    const targets = { 'node-a': a.url, 'node-b': b.url };
    for (const url of Object.values(targets))
      await wrk({ url, host: 'crossnode.localhost' }, { connections: 1, seconds: 1 });
    for (let round = 0; round < ctx.budget.rounds; round++) {
      for (const id of roundOrder(paths, round)) {
        ctx.progress.step(`${spec.title} · ${LABELS[id]} · round ${round + 1}/${ctx.budget.rounds}`);
        const row = rows[paths.indexOf(id)]!;
        const r = await wrk(
          { url: targets[id], host: 'crossnode.localhost' },
          { connections: 1, threads: 1, seconds: ctx.budget.loadSeconds },
        );
        record(row, { p50Ms: r.p50Ms, p99Ms: r.p99Ms, rps: r.rps });
        row.failures += r.failures;
      }
    }
  } finally {
    await agent.stop();
    await a.program.stop();
    await b.program.stop();
    await redis.stop();
  }
  return { ...spec, rows };
}
