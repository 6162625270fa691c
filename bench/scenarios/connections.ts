import type { ContenderId } from '../contenders/types.ts';
import { LABELS } from '../contenders/types.ts';
import { wrk } from '../lib/load.ts';
import { type Metric, type Row, record, roundOrder, type ScenarioResult } from '../lib/results.ts';
import type { BenchContext } from './context.ts';

/** Keep-alive connection counts the rate is measured at. */
export const CONNECTION_STEPS = [1, 16, 64, 256] as const;

/** The tunnels and the direct path they are compared with. */
export const TUNNEL_PATHS: readonly ContenderId[] = [
  'direct',
  'gatehouse-tunnel',
  'ssh-tunnel',
  'localtunnel',
];

/** The metric key of the rate at `connections`. */
export const rateKey = (connections: number) => `rps_${connections}`;

const running = (ctx: Pick<BenchContext, 'contenders'>) =>
  TUNNEL_PATHS.filter((id) => ctx.contenders.has(id));

/** Steps {@link rateByConnections} reports. */
export const connectionSteps = (ctx: Pick<BenchContext, 'budget' | 'contenders'>) =>
  ctx.budget.growthRounds * CONNECTION_STEPS.length * running(ctx).length;

/**
 * Scenario: how the small-GET rate of each tunnel grows (or not) with the number of keep-alive
 * connections, against the direct path. Every path is measured at every count in each round, in
 * alternating order.
 */
export async function rateByConnections(ctx: BenchContext): Promise<ScenarioResult> {
  const { loadSeconds, growthRounds: rounds } = ctx.budget;
  const metrics: Metric[] = CONNECTION_STEPS.map((n) => ({
    key: rateKey(n),
    label: `req/s at ${n}`,
    unit: '',
    better: 'higher',
    vsDirect: 'ratio',
    digits: 0,
  }));
  const rows = TUNNEL_PATHS.map((id): Row => {
    const row: Row = { contender: id, label: LABELS[id], samples: {}, failures: 0 };
    const reason = ctx.unavailable.get(id);
    if (reason) row.unavailable = reason;
    return row;
  });
  const spec = {
    id: 'connections',
    title: 'Small-GET rate by connections',
    description: `wrk, ${CONNECTION_STEPS.join(', ')} keep-alive connections (up to 2 threads), ${loadSeconds} s each, ${rounds} ${rounds === 1 ? 'round' : 'rounds'}; the tunnels and the direct path only.`,
    metrics,
    rows,
  };
  for (let round = 0; round < rounds; round++) {
    for (const connections of CONNECTION_STEPS) {
      for (const id of roundOrder(running(ctx), round)) {
        ctx.progress.step(`${spec.title} · ${LABELS[id]} · ${connections} · round ${round + 1}/${rounds}`);
        const row = rows[TUNNEL_PATHS.indexOf(id)]!;
        try {
          const r = await wrk(ctx.contenders.get(id)!.target, { connections, seconds: loadSeconds });
          record(row, { [rateKey(connections)]: r.rps });
          row.failures += r.failures;
        } catch (error) {
          row.failures++;
          ctx.progress.note(
            `${spec.title} · ${LABELS[id]} · ${connections}: ${(error as Error).message.split('\n')[0]}`,
          );
        }
      }
    }
  }
  return spec;
}
