import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dirs.ts';
import { waitFor } from './wait-for.ts';

const ENTRY = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** A shell block running in its own process group: what it printed so far, and the process. */
export interface RunningBlock {
  readonly child: ChildProcess;
  output(): string;
}

/** Shell blocks of a guide, run as a newcomer types them, in a directory of their own. */
export interface Walkthrough {
  /** The directory the blocks run in, as the clone is for a reader. */
  readonly work: string;
  /** The guide's ports replaced by this run's (`8080` → a free one), wherever they appear. */
  adapt(script: string): string;
  /** Runs a block until its shell exits (what it started with `&` keeps running); its output. */
  run(script: string): Promise<string>;
  /** Starts a long-running block (`extra` appended to its last command) and waits for `ready` in its output. */
  start(script: string, ready: RegExp, extra?: string): Promise<RunningBlock>;
}

/**
 * Sets up a walkthrough: `npx gatehouse` runs these sources (as it does inside the clone), a fresh
 * working directory, config and cache, and `ports` mapping the guide's ports to this run's. Every
 * block's process group is ended when the test file ends.
 */
export function walkthrough(ports: Readonly<Record<number, number>>): Walkthrough {
  const dir = tempDir('gatehouse-walkthrough-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = gatehouse ] || { echo "only npx gatehouse here" >&2; exit 127; }\nshift\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${ENTRY}" "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  const work = join(dir, 'work');
  mkdirSync(work);
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env['PATH']}`,
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    GATEHOUSE_LOG_LEVEL: 'warn',
  };
  const groups: ChildProcess[] = [];
  after(() => {
    for (const child of groups)
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the group has ended already
      }
  });
  const adapt = (script: string) =>
    Object.entries(ports).reduce(
      (text, [from, to]) => text.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to)),
      script,
    );
  const spawnBlock = (script: string): RunningBlock => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: work,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c));
    child.stderr!.on('data', (c: Buffer) => (output += c));
    return { child, output: () => output };
  };
  return {
    work,
    adapt,
    run: async (script) => {
      // Its shell's exit comes before the last output is read, and what it left running holds the
      // pipes open: a line on each pipe after the block says everything before it has arrived.
      const end = `--- end of block ${groups.length} ---`;
      const block = spawnBlock(`${adapt(script).trimEnd()}\necho '${end}'; echo '${end}' >&2\n`);
      const [code] = (await once(block.child, 'exit')) as [number | null];
      const ended = () => block.output().split(end).length === 3;
      if (code === 0) await waitFor("the block's output", ended, { detail: block.output });
      else throw new Error(`the block exited with ${code}:\n${script}\n${block.output()}`);
      return block.output().replaceAll(`${end}\n`, '');
    },
    start: async (script, ready, extra = '') => {
      const block = spawnBlock(`${adapt(script).trimEnd()} ${extra}`);
      await waitFor(`${script.trim().split('\n').at(-1)} to start`, () => ready.test(block.output()), {
        timeoutMs: 30_000,
        detail: block.output,
      });
      return block;
    },
  };
}
