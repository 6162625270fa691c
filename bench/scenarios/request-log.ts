import { startGateway } from '../contenders/gatehouse.ts';
import { wrk } from '../lib/load.ts';
import { cpuNanos } from '../lib/process.ts';
import { type Row, record, roundOrder, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

type Recording = 'recording-off' | 'recording-on';
const LABELS: Record<Recording, string> = {
  'recording-off': 'edge, request log off',
  'recording-on': 'edge, request log on (SQLite)',
};

/** Steps {@link requestLogCost} reports: starting its gateways, then one per gateway and round. */
export const requestLogSteps = (ctx: Pick<BenchContext, 'budget'>) => 1 + ctx.budget.rounds * 2;

/**
 * What recording every request costs: two gateways proxying the same small GET, one with
 * `--request-log off`, one recording each request into its SQLite store; the same wrk load on
 * each, in alternating order, and the rates compared round by round, with each gateway's CPU time
 * per request beside them.
 */
export async function requestLogCost(ctx: BenchContext): Promise<ScenarioResult> {
  const { connections, loadSeconds } = ctx.budget;
  const spec = {
    id: 'request-log',
    title: 'Request recording',
    description: `Two gateways proxying a small GET, the request log off and on; wrk, ${connections} keep-alive connections, 2 threads, ${loadSeconds} s per round.`,
    metrics: [
      { key: 'rps', label: 'requests/s', unit: '', better: 'higher', digits: 0 },
      { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'cpuUs', label: 'gateway CPU per request', unit: 'µs', better: 'lower', digits: 1 },
    ] as const,
  };
  const ids = Object.keys(LABELS) as Recording[];
  const rows = ids.map((id): Row => ({ contender: id, label: LABELS[id], samples: {}, failures: 0 }));
  ctx.progress.step(`${spec.title} · starting two gateways`);
  const off = await startGateway(ctx.dir, 'request-log-off', ['--request-log', 'off']);
  const on = await startGateway(ctx.dir, 'request-log-on', ['--request-log', 'on']);
  try {
    const origin = `http://127.0.0.1:${ctx.originPort}`;
    for (const g of [off, on]) {
      const made = await g.api('POST', '/api/v1/routes/', { host: 'edge.localhost', target: origin });
      if (made.status !== 201) throw new Error(`adding the route failed: ${JSON.stringify(made.body)}`);
    }
    const targets = { 'recording-off': off.url, 'recording-on': on.url };
    // CPU per request is steadier than the rate on a shared machine: the goal line gives both.
    const pids = { 'recording-off': pidOf(off), 'recording-on': pidOf(on) };
    for (const url of Object.values(targets))
      await wrk({ url, host: 'edge.localhost' }, { connections: 16, seconds: 1 });
    for (let round = 0; round < ctx.budget.rounds; round++) {
      for (const id of roundOrder(ids, round)) {
        ctx.progress.step(`${spec.title} · ${LABELS[id]} · round ${round + 1}/${ctx.budget.rounds}`);
        const row = rows[ids.indexOf(id)]!;
        const pid = pids[id];
        const cpuBefore = cpuNanos(pid);
        const r = await wrk(
          { url: targets[id], host: 'edge.localhost' },
          { connections, seconds: loadSeconds },
        );
        const cpuUs = (cpuNanos(pid) - cpuBefore) / 1000 / Math.max(1, r.requests);
        record(row, { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, cpuUs });
        row.failures += r.failures;
      }
    }
  } finally {
    await off.program.stop();
    await on.program.stop();
  }
  return { ...spec, rows };
}

function pidOf(gateway: { program: { name: string; child: { pid?: number | undefined } } }): number {
  const pid = gateway.program.child.pid;
  if (pid === undefined) throw new Error(`${gateway.program.name} has no process id`);
  return pid;
}
