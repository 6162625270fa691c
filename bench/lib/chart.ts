import { medianOf, type ScenarioResult } from './results.ts';

/** One bar group per path: its rate, upload and download as a share of direct. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

const SERIES = [
  { name: 'small GET rate', color: '#2f6fdf' },
  { name: 'upload', color: '#e0892a' },
  { name: 'download', color: '#3a9c5a' },
];

/** The chart's data from a run: each path's numbers divided by direct's. */
export function shareOfDirect(
  scenarios: readonly ScenarioResult[],
  contenders: readonly { id: string; label: string }[],
): ChartSeries[] {
  const rate = scenarios.find((s) => s.id === 'small-get');
  const bulk = scenarios.find((s) => s.id === 'transfer');
  const ratio = (scenario: ScenarioResult | undefined, id: string, key: string) => {
    const value = medianOf(scenario, id, key) / medianOf(scenario, 'direct', key);
    return Number.isFinite(value) ? value : null;
  };
  return contenders
    .filter((c) => c.id !== 'direct')
    .map((c) => ({
      label: c.label,
      values: [ratio(rate, c.id, 'rps'), ratio(bulk, c.id, 'uploadMBps'), ratio(bulk, c.id, 'downloadMBps')],
    }));
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A horizontal grouped bar chart (SVG) of shares of direct, with the 50% goal line marked. */
export function barChart(title: string, series: readonly ChartSeries[]): string {
  const left = 140;
  const width = 560;
  const bar = 12;
  const groupHeight = SERIES.length * bar + 14;
  const top = 56;
  const height = top + series.length * groupHeight + 36;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const x = (share: number) => left + (share / max) * width;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  SERIES.forEach((s, i) => {
    out.push(
      `<rect x="${left + i * 150}" y="32" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${left + i * 150 + 14}" y="41">${s.name}</text>`,
    );
  });
  for (const mark of [0.5, 1]) {
    if (mark > max) continue;
    out.push(
      `<line x1="${x(mark)}" y1="${top - 6}" x2="${x(mark)}" y2="${height - 28}" stroke="#888" stroke-dasharray="4 3"/>`,
      `<text x="${x(mark)}" y="${height - 14}" text-anchor="middle" fill="#555">${mark * 100}% of direct</text>`,
    );
  }
  series.forEach((s, g) => {
    const y0 = top + g * groupHeight;
    out.push(
      `<text x="${left - 8}" y="${y0 + (SERIES.length * bar) / 2 + 4}" text-anchor="end">${escapeXml(s.label)}</text>`,
    );
    s.values.forEach((value, i) => {
      const y = y0 + i * bar;
      if (value === null) {
        out.push(`<text x="${left + 4}" y="${y + bar - 2}" fill="#999">not measured</text>`);
        return;
      }
      out.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(value) - left).toFixed(1)}" height="${bar - 2}" fill="${SERIES[i]!.color}"/>`,
        `<text x="${(x(value) + 4).toFixed(1)}" y="${y + bar - 2}" fill="#333">${(value * 100).toFixed(0)}%</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One line of a {@link lineChart}: a y value per x, null where it was not measured. */
export interface LineSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

const LINE_COLORS = ['#2f6fdf', '#e0892a', '#3a9c5a', '#b23a8f', '#777'];

/** Per contender, the medians of one metric per step (`keyFor(step)`), for a {@link lineChart}. */
export function seriesBySteps(
  scenario: ScenarioResult | undefined,
  contenders: readonly { id: string; label: string }[],
  steps: readonly number[],
  keyFor: (step: number) => string,
): LineSeries[] {
  return contenders
    .filter((c) => scenario?.rows.some((r) => r.contender === c.id && !r.unavailable))
    .map((c) => ({
      label: c.label,
      values: steps.map((step) => {
        const value = medianOf(scenario, c.id, keyFor(step));
        return Number.isFinite(value) ? value : null;
      }),
    }));
}

/** Round steps for an axis from 0 to at least `max`: 1, 2 or 5 times a power of ten. */
function axisTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}

const tickLabel = (n: number) =>
  n >= 1000 ? `${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k` : String(n);

/**
 * A line chart (SVG) of how a cost grows: x on a log scale (connections, tunnels), y linear from 0,
 * one line per path. A value that was not measured breaks its line.
 */
export function lineChart(options: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xs: readonly number[];
  readonly series: readonly LineSeries[];
}): string {
  const { title, xLabel, yLabel, xs, series } = options;
  const left = 80;
  const top = 56;
  const width = 560;
  const height = 280;
  const ticks = axisTicks(Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const yMax = ticks.at(-1)!;
  const [lo, hi] = [Math.log(Math.min(...xs)), Math.log(Math.max(...xs))];
  const x = (v: number) => left + (hi > lo ? ((Math.log(v) - lo) / (hi - lo)) * width : width / 2);
  const y = (v: number) => top + height - (v / yMax) * height;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 40}" height="${top + height + 56}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  series.forEach((s, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length]!;
    out.push(
      `<rect x="${left + i * 140}" y="32" width="10" height="10" fill="${color}"/>`,
      `<text x="${left + i * 140 + 14}" y="41">${escapeXml(s.label)}</text>`,
    );
  });
  for (const t of ticks) {
    out.push(
      `<line x1="${left}" y1="${y(t).toFixed(1)}" x2="${left + width}" y2="${y(t).toFixed(1)}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${tickLabel(t)}</text>`,
    );
  }
  for (const v of xs) {
    out.push(
      `<line x1="${x(v).toFixed(1)}" y1="${top + height}" x2="${x(v).toFixed(1)}" y2="${top + height + 5}" stroke="#888"/>`,
      `<text x="${x(v).toFixed(1)}" y="${top + height + 18}" text-anchor="middle" fill="#555">${v.toLocaleString('en-US')}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${top + height}" x2="${left + width}" y2="${top + height}" stroke="#888"/>`,
    `<text x="${left + width / 2}" y="${top + height + 40}" text-anchor="middle">${escapeXml(xLabel)} (log scale)</text>`,
    `<text x="16" y="${top + height / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + height / 2})">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length]!;
    const points = s.values.map((v, j) => (v === null ? null : { x: x(xs[j]!), y: y(v) }));
    let path = '';
    points.forEach((p, j) => {
      if (p) path += `${j > 0 && points[j - 1] ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)} `;
    });
    if (path) out.push(`<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of points) {
      if (p) out.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3" fill="${color}"/>`);
    }
  });
  if (series.every((s) => s.values.every((v) => v === null))) {
    out.push(
      `<text x="${left + width / 2}" y="${top + height / 2}" text-anchor="middle" fill="#999">not measured</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
