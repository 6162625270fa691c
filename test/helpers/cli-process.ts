import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** A `gatehouse` CLI running as its own process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout (JSON log lines) and stderr so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Peak resident memory of the process so far, in bytes (VmHWM). */
  peakRss(): number;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gatehouse <args>` through tsx. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    peakRss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
      return kb * 1024;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `gatehouse serve` on a free loopback port and resolves once it listens. */
export async function spawnServe(
  flags: string[],
  env: Record<string, string> = {},
): Promise<CliProcess & { port: number }> {
  const cli = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', ...flags], env);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      reject(new Error(`gatehouse did not start:\n${cli.stderr()}`));
    }, 20_000);
    const check = () => {
      // The start-up banner names the port it got.
      const match = /proxy +http:\/\/\*:(\d+)/.exec(cli.stderr());
      if (match) {
        clearTimeout(timer);
        cli.child.stderr!.off('data', check);
        resolve(Number(match[1]));
      }
    };
    cli.child.stderr!.on('data', check);
    cli.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited with ${code}:\n${cli.stderr()}`));
    });
  });
  return Object.assign(cli, { port });
}

/**
 * How far a transfer may raise a process's peak RSS above the peak it had before the transfer
 * (start-up included): buffering a quarter of a 1 GiB body would go past it. Measured as growth,
 * not as an absolute figure, so the bound does not move with how much code the process loads.
 */
export const TRANSFER_RSS_GROWTH_LIMIT = 160 * 1024 * 1024;

/** Remembers each process's peak RSS now; the returned check fails when a transfer raised one by more than the limit. */
export function rssGrowthCheck(processes: readonly (readonly [string, CliProcess])[]): () => void {
  const before = processes.map(([, p]) => p.peakRss());
  return () => {
    processes.forEach(([name, p], i) => {
      const grown = p.peakRss() - before[i]!;
      if (grown >= TRANSFER_RSS_GROWTH_LIMIT)
        throw new Error(
          `${name} peak RSS grew by ${Math.round(grown / 2 ** 20)} MiB during the transfer (from ${Math.round(before[i]! / 2 ** 20)} MiB)`,
        );
    });
  };
}
