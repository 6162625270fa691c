import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENDERS, LABELS } from './contenders/types.ts';
import { barChart, lineChart, seriesBySteps, shareOfDirect } from './lib/chart.ts';
import type { ChartLink } from './lib/markdown.ts';
import type { ScenarioResult } from './lib/results.ts';
import { CONNECTION_STEPS, rateKey, TUNNEL_PATHS } from './scenarios/connections.ts';
import type { Budget } from './scenarios/context.ts';
import { rssKey } from './scenarios/idle-tunnels.ts';

/**
 * Writes a run's charts into `out` beside its report: throughput as a share of direct, and the
 * cost-growth line charts of the scenarios that ran. Returns them for the report to link.
 */
export function writeCharts(
  out: string,
  stamp: string,
  results: readonly ScenarioResult[],
  budget: Budget,
): ChartLink[] {
  const charts: ChartLink[] = [{ file: `${stamp}.svg`, title: 'Throughput as a share of direct' }];
  writeFileSync(
    join(out, charts[0]!.file),
    barChart(
      'Throughput as a share of the direct path (higher is better)',
      shareOfDirect(
        results,
        CONTENDERS.map((id) => ({ id, label: LABELS[id] })),
      ),
    ),
  );
  const byConnections = results.find((s) => s.id === 'connections');
  if (byConnections) {
    const file = `${stamp}-connections.svg`;
    const title = 'Small-GET rate by keep-alive connections';
    writeFileSync(
      join(out, file),
      lineChart({
        title,
        xLabel: 'keep-alive connections',
        yLabel: 'requests/s',
        xs: CONNECTION_STEPS,
        series: seriesBySteps(
          byConnections,
          TUNNEL_PATHS.map((id) => ({ id, label: LABELS[id] })),
          CONNECTION_STEPS,
          rateKey,
        ),
      }),
    );
    charts.push({ file, title });
  }
  const idle = results.find((s) => s.id === 'idle-tunnels');
  if (idle) {
    const file = `${stamp}-idle-tunnels.svg`;
    const title = 'Gateway resident memory by idle tunnels';
    writeFileSync(
      join(out, file),
      lineChart({
        title,
        xLabel: 'idle tunnels',
        yLabel: 'MB',
        xs: budget.idleTunnelSteps,
        series: seriesBySteps(
          idle,
          [{ id: 'gatehouse', label: 'Gatehouse gateway' }],
          budget.idleTunnelSteps,
          rssKey,
        ),
      }),
    );
    charts.push({ file, title });
  }
  return charts;
}
