/** How a metric reads: its unit, which way is better, and how it compares to the direct path. */
export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  /** `ratio`: shown as a share of direct; `added`: shown as the amount added over direct. */
  readonly vsDirect?: 'ratio' | 'added';
  readonly digits?: number;
}

/** One contender's numbers in one scenario, every round kept. */
export interface Row {
  readonly contender: string;
  readonly label: string;
  readonly samples: Record<string, number[]>;
  /** Requests that failed or answered non-2xx, over all rounds. */
  failures: number;
  /** Why the contender has no numbers here, when it could not run. */
  unavailable?: string;
}

/** A scenario as it is written to the results file. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly metrics: readonly Metric[];
  readonly rows: Row[];
}

/** The median of a list (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, smallest and largest of a row's samples for one metric. */
export function summary(row: Row, key: string): { median: number; min: number; max: number } {
  const values = row.samples[key] ?? [];
  return {
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** The median of one metric for one contender, NaN when it was not measured. */
export function medianOf(scenario: ScenarioResult | undefined, contender: string, key: string): number {
  const row = scenario?.rows.find((r) => r.contender === contender);
  return row ? summary(row, key).median : Number.NaN;
}

/** Adds one round's values to a row. */
export function record(row: Row, values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) {
    const samples = row.samples[key] ?? [];
    samples.push(value);
    row.samples[key] = samples;
  }
}

/** Rounds alternate direction (A B C, C B A, …) so slow drift in the machine falls on everyone alike. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}
