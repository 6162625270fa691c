import { fixedRate } from '../lib/load.ts';
import { type BenchContext, interleaved } from './context.ts';

/** Scenario 2: latency at a moderate, fixed request rate, as added over the direct path. */
export function fixedRateLatency(ctx: BenchContext) {
  const { rate, loadSeconds } = ctx.budget;
  return interleaved(
    ctx,
    {
      id: 'fixed-rate',
      title: `Latency at ${rate.toLocaleString('en-US')} req/s`,
      description: `hey, ${rate.toLocaleString('en-US')} requests/s from 2 keep-alive workers, ${loadSeconds} s per round; in brackets, the latency added over direct.`,
      metrics: [
        { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 2 },
        { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 2 },
        { key: 'rps', label: 'achieved req/s', unit: '', better: 'higher', digits: 0 },
      ],
    },
    async (c) => {
      const r = await fixedRate(c.target, { rate, seconds: loadSeconds, workers: 2 });
      return { values: { p50Ms: r.p50Ms, p99Ms: r.p99Ms, rps: r.rps }, failures: r.failures };
    },
  );
}
