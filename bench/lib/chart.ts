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
