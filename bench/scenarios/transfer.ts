import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { transfer } from '../lib/load.ts';
import { peakRssBytes, resetPeakRss } from '../lib/process.ts';
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

/** Scenario 3: one large upload and one large download per round, with Gatehouse's peak memory. */
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
      description: `curl, one ${mib} MiB PUT (streamed from a file) and one ${mib} MiB GET per round; MB/s is 10⁶ bytes per second. Peak RSS is each Gatehouse process's high-water mark during the transfers.`,
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
        { key: 'gatewayPeakMB', label: 'gateway peak RSS', unit: 'MB', better: 'lower', digits: 0 },
        { key: 'agentPeakMB', label: 'agent peak RSS', unit: 'MB', better: 'lower', digits: 0 },
      ],
    },
    async (c) => {
      for (const p of c.processes) resetPeakRss(p.pid);
      const up = await transfer(c.target, 'upload', { file, bytes });
      const down = await transfer(c.target, 'download', { file, bytes });
      const values: Record<string, number> = { uploadMBps: up.mbPerSec, downloadMBps: down.mbPerSec };
      if (c.id.startsWith('gatehouse')) {
        for (const p of c.processes) values[`${p.role}PeakMB`] = peakRssBytes(p.pid) / 1e6;
      }
      const failures = [up, down].filter((r) => r.status !== 200).length;
      return { values, failures };
    },
  );
}
