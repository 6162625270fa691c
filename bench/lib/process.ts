import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A program the benchmark started and stops again. */
export interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  /** The end of its log (stdout and stderr), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a program with its stdout and stderr going to `logFile`, as a server's logs would: the
 * benchmark never spends its own CPU reading them.
 */
export function run(
  name: string,
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv },
): Running {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let spawnError = '';
  child.on('error', (error) => {
    spawnError = `\n${error.message}\n`;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    name,
    child,
    output: () => readFileSync(options.logFile, 'utf8').slice(-65_536) + spawnError,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/** Resolves with the first match of `pattern` in the program's output. */
export async function waitForOutput(
  program: Running,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(program.output());
    if (match) return match;
    if (program.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${program.name} did not start (waiting for ${pattern}):\n${program.output()}`);
    }
    await sleep(50);
  }
}

/** Resolves once something accepts TCP connections on the loopback port. */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(50);
  }
}

/** A loopback port that was free a moment ago (the tests' helper, shared). */
export { freePort } from '../../test/helpers/redis.ts';

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Number(kb) * 1024;
}

/** Resident memory of a process now, in bytes. */
export const rssBytes = (pid: number): number => statusField(pid, 'VmRSS');

/** Peak resident memory since start or the last {@link resetPeakRss}, in bytes. */
export const peakRssBytes = (pid: number): number => statusField(pid, 'VmHWM');

/** Starts a new peak-RSS window for the process (Linux `clear_refs` 5). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** CPU time a process's main thread has used, in nanoseconds: the thread a Node server serves on. */
export function mainThreadCpuNanos(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

/**
 * CPU time a process has used, all its threads together, in nanoseconds (the scheduler's own
 * count in `/proc/<pid>/task/<tid>/schedstat`: finer than the 10 ms ticks of `/proc/<pid>/stat`).
 */
export function cpuNanos(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read used nothing more.
    }
  }
  return total;
}
