import assert from 'node:assert/strict';
import { request } from 'undici';
import type { CliProcess } from './cli-process.ts';

/** The agent's `--json` events so far. */
export function jsonEvents(cli: CliProcess): { event: string; [k: string]: unknown }[] {
  // The last piece is empty or a line still being written.
  return cli
    .stdout()
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l));
}

/** Resolves with what `found` returns once it returns something, checked as output arrives. */
export function waitForOutputOf<T>(
  cli: CliProcess,
  from: 'stdout' | 'stderr',
  found: (text: string) => T | undefined,
  ms = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const stream = from === 'stdout' ? cli.child.stdout! : cli.child.stderr!;
    const check = () => {
      const value = found(cli[from]());
      if (value === undefined) return false;
      finish();
      resolve(value);
      return true;
    };
    const fail = (why: string) => {
      finish();
      reject(new Error(`${why}; stdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`));
    };
    const onExit = () => fail(`the process exited before the ${from} output awaited`);
    const timer = setTimeout(() => fail(`no awaited ${from} output within ${ms} ms`), ms);
    const finish = () => {
      clearTimeout(timer);
      stream.off('data', onData);
      cli.child.off('exit', onExit);
    };
    // Added after the recorder's listener, so the text checked includes the chunk just read.
    const onData = () => void check();
    if (check()) return;
    stream.on('data', onData);
    cli.child.once('exit', onExit);
  });
}

/** Resolves with the first match of `pattern` in the process's stdout or stderr. */
export function waitForOutput(
  cli: CliProcess,
  from: 'stdout' | 'stderr',
  pattern: RegExp,
  ms = 20_000,
): Promise<RegExpExecArray> {
  return waitForOutputOf(cli, from, (text) => pattern.exec(text) ?? undefined, ms);
}

/** Resolves with the first `--json` event named `event` after the first `after` events. */
export function waitForEvent(
  cli: CliProcess,
  event: string,
  after = 0,
): Promise<{ event: string; [k: string]: unknown }> {
  return waitForOutputOf(cli, 'stdout', () =>
    jsonEvents(cli)
      .slice(after)
      .find((e) => e.event === event),
  );
}

/** Resolves with the exit code once the process ends. */
export function exitCode(cli: CliProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (cli.child.exitCode !== null) resolve(cli.child.exitCode);
    else cli.child.once('exit', (code) => resolve(code));
  });
}

/** Creates a tunnel through a spawned server's admin API; returns its key. */
export async function createTunnelOn(port: number, name: string, adminKey: string): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}/api/v1/tunnels/`, {
    method: 'POST',
    headers: { host: 'localhost', authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.body.json()) as { key: string };
  assert.equal(res.statusCode, 201);
  return body.key;
}
