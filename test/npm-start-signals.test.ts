import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LONG_SUITE } from './helpers/long-suite.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every process below `pid`, read from /proc, with its command line. */
function descendants(pid: number): { pid: number; command: string }[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name in brackets may hold spaces; the parent pid is the second field after it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: { pid: number; command: string }[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {}
      found.push({ pid: child, command });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const leftOver = new Set<number>();
after(() => {
  for (const pid of leftOver) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

// npm start builds first (tsc, then Vite: about 10 s on two busy cores), and a stop that fails is
// waited for 20 s: a test may take longer than 60 s before its assertion can speak.
describe('npm start', LONG_SUITE, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to the npm process stops Gatehouse itself`, { timeout: 120_000 }, async () => {
      const npm = spawn(
        'npm',
        ['start', '--', '--host', '127.0.0.1', '--port', '0', '--data', tempDir(), '--log-level', 'warn'],
        { cwd: ROOT, env: { ...process.env, GATEHOUSE_ADMIN_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      let stderr = '';
      const port = await new Promise<number>((resolve, reject) => {
        npm.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const match = /proxy +http:\/\/\*:(\d+)/.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        npm.stdout.resume();
        exited.then((code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
      });

      const tree = descendants(npm.pid!);
      for (const { pid } of [{ pid: npm.pid! }, ...tree]) leftOver.add(pid);
      const gatehouse = tree.find((p) => p.command.includes('bin/gatehouse.js serve'));
      assert.ok(gatehouse, `Gatehouse runs below npm: ${JSON.stringify(tree)}`);
      assert.equal(await portAccepts(port), true);

      npm.kill(signal);
      // Gatehouse drains for up to --shutdown-timeout (10 s); twice that means it never heard the signal.
      const code = await Promise.race([
        exited,
        sleep(20_000, undefined, { ref: false }).then(() => 'still running' as const),
      ]);
      assert.notEqual(code, 'still running', `npm start was still running 20 s after ${signal}`);
      // npm returns only after its child exited, so nothing it started may still run.
      assert.deepEqual(
        tree.filter((p) => isAlive(p.pid)),
        [],
        'every process npm start started is gone',
      );
      assert.equal(await portAccepts(port), false, `port ${port} is closed`);
      assert.equal(code, 0, 'npm reports a clean stop');
    });
  }
});
