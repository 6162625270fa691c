import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Running, run, waitForOutput } from '../lib/process.ts';

const SERVER = fileURLToPath(new URL('../servers/origin.mjs', import.meta.url));

/** Starts the local server every path ends at; resolves with it and its port. */
export async function startOrigin(dir: string): Promise<{ program: Running; port: number }> {
  const program = run('origin', process.execPath, [SERVER, '0'], { logFile: join(dir, 'origin.log') });
  const match = await waitForOutput(program, /listening (\d+)/);
  return { program, port: Number(match[1]) };
}
