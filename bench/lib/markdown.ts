import type { GoalResult } from './goals.ts';
import { type Metric, type Row, type ScenarioResult, summary } from './results.ts';

/** The machine and tools a run used, printed above its tables. */
export interface RunInfo {
  readonly startedAt: string;
  readonly durationS: number;
  readonly quick: boolean;
  readonly rounds: number;
  readonly machine: string;
  readonly tools: Readonly<Record<string, string>>;
}

const group = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function cell(row: Row, metric: Metric, direct: Row | undefined): string {
  const digits = metric.digits ?? 1;
  const s = summary(row, metric.key);
  if (!Number.isFinite(s.median)) return '—';
  const unit = metric.unit ? ` ${metric.unit}` : '';
  let text = `${group(s.median, digits)}${unit}`;
  if (s.min !== s.max) text += ` <sub>${group(s.min, digits)}–${group(s.max, digits)}</sub>`;
  const base = direct && direct !== row ? summary(direct, metric.key).median : Number.NaN;
  if (Number.isFinite(base) && metric.vsDirect === 'ratio')
    text += ` (${((s.median / base) * 100).toFixed(0)}%)`;
  if (Number.isFinite(base) && metric.vsDirect === 'added') {
    const added = s.median - base;
    text += ` (${added >= 0 ? '+' : '−'}${group(Math.abs(added), digits)})`;
  }
  return text;
}

/** One scenario as a Markdown table: medians, the min–max over rounds, and the comparison to direct. */
export function scenarioTable(scenario: ScenarioResult): string {
  const direct = scenario.rows.find((r) => r.contender === 'direct');
  const lines = [
    `| path | ${scenario.metrics.map((m) => m.label).join(' | ')} |`,
    `|---|${scenario.metrics.map(() => '---:').join('|')}|`,
  ];
  for (const row of scenario.rows) {
    const cells = row.unavailable
      ? scenario.metrics.map((_, i) => (i === 0 ? `not run: ${row.unavailable}` : ''))
      : scenario.metrics.map((m) => cell(row, m, direct));
    const failed = row.failures > 0 ? ` ⚠ ${row.failures} failed` : '';
    lines.push(`| ${row.label}${failed} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The goals as a table with met / missed for each. */
export function goalsTable(goals: readonly GoalResult[]): string {
  const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**missed**');
  return [
    '| goal | measured | verdict |',
    '|---|---|---|',
    ...goals.map((g) => `| ${g.goal} | ${g.measured || '—'} | ${mark(g.met)} |`),
  ].join('\n');
}

/** A chart written beside the report: its file name (relative to the report) and what it shows. */
export interface ChartLink {
  readonly file: string;
  readonly title: string;
}

/** The whole report: run facts, charts, goals, then one table per scenario. */
export function renderReport(
  info: RunInfo,
  scenarios: readonly ScenarioResult[],
  goals: readonly GoalResult[],
  charts: readonly ChartLink[],
): string {
  const tools = Object.entries(info.tools)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const parts = [
    `Run ${info.startedAt}${info.quick ? ' (quick)' : ''}, ${info.rounds} interleaved rounds, ${Math.round(info.durationS)} s in all.`,
    `Machine: ${info.machine}. Everything on loopback; ${tools}.`,
    'Cells show the median, the smallest–largest over rounds, and the comparison to direct.',
    ...charts.flatMap((c) => ['', `![${c.title}](${c.file})`]),
    '',
    '#### Goals',
    '',
    goalsTable(goals),
  ];
  scenarios.forEach((s, i) => {
    parts.push('', `#### ${i + 1}. ${s.title}`, '', s.description, '', scenarioTable(s));
  });
  return `${parts.join('\n')}\n`;
}
