import type { Target } from '../lib/load.ts';
import { wrk } from '../lib/load.ts';
import { type Row, record, roundOrder, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

type RelayPath = 'direct' | 'gatehouse-tunnel' | 'gatehouse-relay';
const LABELS: Record<RelayPath, string> = {
  direct: 'direct',
  'gatehouse-tunnel': 'Gatehouse tunnel, no relay',
  'gatehouse-relay': 'Gatehouse relay → tunnel',
};

/** Steps {@link relayedCallback} reports. */
export const relaySteps = (ctx: Pick<BenchContext, 'budget'>) => ctx.budget.rounds * 3;

/**
 * Scenario 5: an OAuth callback (`?code=…&state=…`) answered by the developer's local server,
 * called directly, through the tunnel alone, and through the relay route that finds the tunnel by
 * the state. One connection, so the numbers are latency, not queueing.
 */
export async function relayedCallback(ctx: BenchContext): Promise<ScenarioResult> {
  const spec = {
    id: 'relay',
    title: 'Relayed OAuth callback',
    description: `wrk, 1 connection, ${ctx.budget.loadSeconds} s per round, GET of the relay route's callback path with a mapped state; in brackets, the latency added over direct.`,
    metrics: [
      { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 2 },
      { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 2 },
      { key: 'rps', label: 'requests/s', unit: '', better: 'higher', digits: 0 },
    ] as const,
  };
  const paths = Object.keys(LABELS) as RelayPath[];
  const rows = paths.map((id): Row => ({ contender: id, label: LABELS[id], samples: {}, failures: 0 }));
  const gh = ctx.gatehouse;
  if (!gh) {
    for (const row of rows.slice(1)) row.unavailable = 'Gatehouse did not start';
    return { ...spec, rows };
  }
  const origin = `http://127.0.0.1:${ctx.originPort}`;
  const tunnelTarget = ctx.contenders.get('gatehouse-tunnel')?.target;
  for (let round = 0; round < ctx.budget.rounds; round++) {
    const state = `bench-${Date.now().toString(36)}-${round}`;
    const path = `${gh.callbackPath}?code=c0de&state=${state}`;
    const targets: Record<RelayPath, Target | undefined> = {
      direct: { url: origin + path },
      'gatehouse-tunnel': tunnelTarget && { url: tunnelTarget.url + path, host: tunnelTarget.host },
      'gatehouse-relay': { url: gh.relay.url + path, host: gh.relay.host },
    };
    await gh.mapState(state);
    for (const id of roundOrder(paths, round)) {
      ctx.progress.step(`${spec.title} · ${LABELS[id]} · round ${round + 1}/${ctx.budget.rounds}`);
      const row = rows[paths.indexOf(id)]!;
      const target = targets[id];
      if (!target) {
        row.unavailable = 'the tunnel did not start';
        continue;
      }
      const r = await wrk(target, { connections: 1, threads: 1, seconds: ctx.budget.loadSeconds });
      record(row, { p50Ms: r.p50Ms, p99Ms: r.p99Ms, rps: r.rps });
      row.failures += r.failures;
    }
  }
  return { ...spec, rows };
}
