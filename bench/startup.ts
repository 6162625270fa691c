/**
 * How long `gatehouse serve` takes from process start to its "listening" line, and its resident
 * memory then: `node --import tsx bench/startup.ts [checkout…]` (each checkout built with
 * `npm run build`; this one by default), alternating between checkouts for fair rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROUNDS = Number(process.env['ROUNDS'] ?? 15);

/** One start: milliseconds to "listening", and VmRSS in MiB at that moment. */
function startOnce(checkout: string): Promise<{ ms: number; rssMiB: number }> {
  const data = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(checkout, 'bin/gatehouse.js'), 'serve', '--port', '0', '--data', data],
    {
      env: { ...process.env, GATEHOUSE_ADMIN_KEY: 'gk_startup_bench_key_0123456789' },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('"msg":"listening"')) return;
      const ms = performance.now() - started;
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
      child.kill('SIGKILL');
      child.once('exit', () => {
        rmSync(data, { recursive: true, force: true });
        done({ ms, rssMiB: rssKiB / 1024 });
      });
    });
    child.once('exit', (code) => {
      if (!out.includes('"msg":"listening"'))
        fail(new Error(`serve in ${checkout} exited (${code}) before listening`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const checkouts = (process.argv.slice(2).length ? process.argv.slice(2) : ['.']).map((c) => resolve(c));
const results = new Map(checkouts.map((c) => [c, [] as { ms: number; rssMiB: number }[]]));
for (let round = 0; round < ROUNDS; round++)
  for (const checkout of checkouts) results.get(checkout)!.push(await startOnce(checkout));
for (const [checkout, runs] of results)
  console.log(
    `${checkout}: start to listening median ${median(runs.map((r) => r.ms)).toFixed(0)} ms ` +
      `(min ${Math.min(...runs.map((r) => r.ms)).toFixed(0)}), RSS median ${median(runs.map((r) => r.rssMiB)).toFixed(1)} MiB over ${runs.length} runs`,
  );
