import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after } from 'node:test';
import { freePort } from './redis.ts';
import { waitFor } from './wait-for.ts';

/**
 * A real broker process on a loopback port, its data in a throwaway directory. It can be stopped
 * and started again on the same port with the same data, as an outage looks to its clients.
 * Stopped, and its directory removed, when the test file (or the test that started it) ends.
 */
export interface BrokerProcess {
  readonly port: number;
  readonly url: string;
  /** The data directory, kept across restarts. */
  readonly dir: string;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
}

/** How to run one kind of broker. */
export interface BrokerSpec {
  /** The executable, found on PATH or in the sbin directories Debian installs daemons to. */
  readonly command: string;
  /** URL scheme of its clients, e.g. `nats`. */
  readonly scheme: string;
  /** Arguments for a run on `port` with its data in `dir`; may write config files there. */
  args(port: number, dir: string): string[];
  /** A line the broker prints once it serves clients; accepting a TCP connection when absent. */
  readonly readyLine?: RegExp;
}

/** Starts the broker on a free port (a few ports are tried in case one is taken meanwhile). */
export async function startBroker(spec: BrokerSpec): Promise<BrokerProcess> {
  const executable = systemExecutable(spec.command);
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-${spec.command}-`));
  let child: ChildProcess | undefined;
  let port = 0;

  const run = async (): Promise<string | undefined> => {
    const started = spawn(executable, spec.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    let exited = false;
    const collect = (chunk: Buffer) => {
      // Only the start-up lines matter; later output is read and dropped so the pipes never fill.
      if (output.length < 20_000) output += chunk.toString();
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    started.once('exit', () => {
      exited = true;
    });
    started.once('error', (error) => {
      exited = true;
      output += String(error);
    });
    await waitFor(
      `${spec.command} to accept connections on port ${port}`,
      async () =>
        exited ||
        ((spec.readyLine === undefined || spec.readyLine.test(output)) && (await acceptsConnections(port))),
      { timeoutMs: 15_000, detail: () => output },
    );
    return exited ? output : undefined;
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };

  let failure = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    const exitOutput = await run();
    if (exitOutput === undefined) {
      after(async () => {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      });
      return {
        port,
        url: `${spec.scheme}://127.0.0.1:${port}`,
        dir,
        stop,
        start: async () => {
          if (child !== undefined) return;
          const output = await run();
          if (output !== undefined)
            throw new Error(`${spec.command} did not start again on port ${port}:\n${output}`);
        },
      };
    }
    failure = exitOutput;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${spec.command} did not start after 5 attempts:\n${failure}`);
}

/** Where `command` is: on PATH, or in /usr/sbin or /usr/local/sbin, which a non-root PATH may lack. */
export function systemExecutable(command: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {}
  }
  throw new Error(`${command} is not installed: run scripts/ensure-system-deps.sh`);
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
