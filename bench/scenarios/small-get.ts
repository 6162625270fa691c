import { wrk } from '../lib/load.ts';
import { type BenchContext, interleaved } from './context.ts';

/** Scenario 1: the most requests each path serves at a fixed number of keep-alive connections. */
export function smallGet(ctx: BenchContext) {
  const { connections, loadSeconds } = ctx.budget;
  return interleaved(
    ctx,
    {
      id: 'small-get',
      title: 'Small GET',
      description: `wrk, ${connections} keep-alive connections, 2 threads, ${loadSeconds} s per round; a 13-byte answer.`,
      metrics: [
        { key: 'rps', label: 'requests/s', unit: '', better: 'higher', vsDirect: 'ratio', digits: 0 },
        { key: 'p50Ms', label: 'p50', unit: 'ms', better: 'lower', digits: 2 },
        { key: 'p99Ms', label: 'p99', unit: 'ms', better: 'lower', digits: 2 },
      ],
    },
    async (c) => {
      const r = await wrk(c.target, { connections, seconds: loadSeconds });
      return { values: { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms }, failures: r.failures };
    },
  );
}
