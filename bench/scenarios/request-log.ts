import { startGateway } from '../contenders/gatehouse.ts';
import { wrk } from '../lib/load.ts';
import { cpuNanos, mainThreadCpuNanos } from '../lib/process.ts';
import { type Row, record, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

type Recording = 'recording-off' | 'recording-on';
const LABELS: Record<Recording, string> = {
  'recording-off': 'edge, request log off',
  'recording-on': 'edge, request log on (SQLite)',
};

/** Steps {@link requestLogCost} reports: starting its gateways, then one per round. */
export const requestLogSteps = (ctx: Pick<BenchContext, 'budget'>) => 1 + ctx.budget.rounds;

/**
 * What recording every request costs: two gateways proxying the same small GET, one with
 * `--request-log off`, one recording each request into its SQLite store; the same wrk load on
 * each at the same time, and each gateway's CPU time per request (of the thread serving requests,
 * and of all its threads) and rate compared round by round.
 */
export async function requestLogCost(ctx: BenchContext): Promise<ScenarioResult> {
  const { connections, loadSeconds } = ctx.budget;
  const spec = {
    id: 'request-log',
    title: 'Request recording',
    description: `Two gateways proxying a small GET, the request log off and on, loaded at the same time: a wrk each, ${Math.max(1, connections >> 1)} keep-alive connections, 1 thread, ${loadSeconds} s per round.`,
    metrics: [
      { key: 'rps', label: 'requests/s', unit: '', better: 'higher', digits: 0 },
      { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', digits: 2 },
      { key: 'mainCpuUs', label: 'serving thread CPU per request', unit: 'µs', better: 'lower', digits: 1 },
      { key: 'cpuUs', label: 'all threads CPU per request', unit: 'µs', better: 'lower', digits: 1 },
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
    // The edge serves on one thread, so its CPU per request bounds the rate the edge can reach;
    // it is also steadier than a rate on a shared machine. The goal line gives both.
    const pids = { 'recording-off': pidOf(off), 'recording-on': pidOf(on) };
    for (const url of Object.values(targets))
      await wrk({ url, host: 'edge.localhost' }, { connections: 16, seconds: 1 });
    // Both gateways take their load at the same time, each from its own wrk with half the
    // connections: a slow moment of a shared machine falls on both alike.
    for (let round = 0; round < ctx.budget.rounds; round++) {
      ctx.progress.step(`${spec.title} · both gateways at once · round ${round + 1}/${ctx.budget.rounds}`);
      const cpu = ids.map((id) => cpuNanos(pids[id]));
      const main = ids.map((id) => mainThreadCpuNanos(pids[id]));
      const results = await Promise.all(
        ids.map((id) =>
          wrk(
            { url: targets[id], host: 'edge.localhost' },
            { connections: Math.max(1, connections >> 1), seconds: loadSeconds, threads: 1 },
          ),
        ),
      );
      ids.forEach((id, i) => {
        const r = results[i]!;
        const perRequest = (nanos: number) => nanos / 1000 / Math.max(1, r.requests);
        const mainCpuUs = perRequest(mainThreadCpuNanos(pids[id]) - main[i]!);
        const cpuUs = perRequest(cpuNanos(pids[id]) - cpu[i]!);
        record(rows[i]!, { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, mainCpuUs, cpuUs });
        rows[i]!.failures += r.failures;
      });
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
