import type { GatehouseSetup } from '../contenders/gatehouse.ts';
import { CONTENDERS, type Contender, type ContenderId, LABELS } from '../contenders/types.ts';
import type { Progress } from '../lib/progress.ts';
import { type Metric, type Row, record, roundOrder, type ScenarioResult } from '../lib/results.ts';

/** Sizes of a run: the full run, or `--quick`. */
export interface Budget {
  readonly rounds: number;
  /** Rounds of the cost-growth sweeps (rate by connections, idle tunnels): one in a quick run. */
  readonly growthRounds: number;
  readonly loadSeconds: number;
  readonly connections: number;
  readonly rate: number;
  readonly transferBytes: number;
  /** Idle tunnel counts the memory measurement steps through; the last is the one the goals read. */
  readonly idleTunnelSteps: readonly number[];
  readonly echoMessages: number;
  /** Vehicles streaming at once in the telemetry rate measurement. */
  readonly telemetryVehicles: number;
  /** Seconds each telemetry rate and latency measurement counts for. */
  readonly telemetrySeconds: number;
  /** Messages per second the telemetry latency measurement sends. */
  readonly telemetryRate: number;
  /** Idle vehicle counts the memory measurement steps through. */
  readonly idleVehicleSteps: readonly number[];
}

/** Everything a scenario needs: the running contenders and the run's budget. */
export interface BenchContext {
  readonly dir: string;
  readonly originPort: number;
  readonly budget: Budget;
  readonly contenders: ReadonlyMap<ContenderId, Contender>;
  /** Contenders that could not start, with why. */
  readonly unavailable: ReadonlyMap<ContenderId, string>;
  readonly gatehouse: GatehouseSetup | undefined;
  readonly progress: Progress;
}

/** What a scenario is and how its numbers read. */
export interface ScenarioSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly metrics: readonly Metric[];
}

/** Steps {@link interleaved} will report for a scenario over every contender. */
export function interleavedSteps(ctx: Pick<BenchContext, 'budget' | 'contenders'>): number {
  return ctx.budget.rounds * ctx.contenders.size;
}

/**
 * Measures every contender once per round, in alternating order, so each gets the same share of
 * whatever the machine was doing. A contender that fails a round keeps its failure in the report.
 */
export async function interleaved(
  ctx: BenchContext,
  spec: ScenarioSpec,
  measure: (contender: Contender) => Promise<{ values: Record<string, number>; failures?: number }>,
): Promise<ScenarioResult> {
  const rows = new Map<ContenderId, Row>();
  for (const id of CONTENDERS) {
    const row: Row = { contender: id, label: LABELS[id], samples: {}, failures: 0 };
    const reason = ctx.unavailable.get(id);
    if (reason) row.unavailable = reason;
    rows.set(id, row);
  }
  const running = CONTENDERS.filter((id) => ctx.contenders.has(id));
  for (let round = 0; round < ctx.budget.rounds; round++) {
    for (const id of roundOrder(running, round)) {
      ctx.progress.step(`${spec.title} · ${LABELS[id]} · round ${round + 1}/${ctx.budget.rounds}`);
      const row = rows.get(id)!;
      try {
        const result = await measure(ctx.contenders.get(id)!);
        record(row, result.values);
        row.failures += result.failures ?? 0;
      } catch (error) {
        row.failures++;
        ctx.progress.note(`${spec.title} · ${LABELS[id]}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return { ...spec, rows: [...rows.values()] };
}
