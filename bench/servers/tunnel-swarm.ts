// Connects many tunnel agents from one process, for the idle-tunnel benchmark. Takes the tunnels
// as a JSON file and the counts to stop at (comma-separated, rising). At each count it prints
// `online <count> <ms connecting so far> <rss before> <rss now>` and waits for SIGUSR2 before
// connecting the next ones; it stays until stopped.
import { readFileSync } from 'node:fs';
import { TunnelAgent } from '../../src/tunnel/agent/tunnel-agent.ts';

const [server, local, listFile, stepList] = process.argv.slice(2);
const tunnels = JSON.parse(readFileSync(listFile!, 'utf8')) as { name: string; key: string }[];
const steps = (stepList ?? String(tunnels.length)).split(',').map(Number);
const CONCURRENCY = 100;
const rssBefore = process.memoryUsage.rss();
const agents: TunnelAgent[] = [];
let next = 0;
let resume: (() => void) | undefined;
process.on('SIGUSR2', () => resume?.());
process.on('SIGTERM', () => {
  for (const agent of agents) agent.stop();
  process.exit(0);
});

async function connectUpTo(count: number): Promise<void> {
  while (next < count) {
    const tunnel = tunnels[next++]!;
    const agent = new TunnelAgent({
      server: new URL(server!),
      name: tunnel.name,
      key: tunnel.key,
      local: { url: new URL(local!), preserveHost: false, captureBytes: 0 },
      version: 'bench',
    });
    agents.push(agent);
    await new Promise<void>((resolve, reject) => {
      agent.once('online', () => resolve());
      agent.once('fatal', (reason) => reject(new Error(`${tunnel.name}: ${reason.message}`)));
      agent.start();
    });
  }
}

let connectingMs = 0;
for (const [i, step] of steps.entries()) {
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => connectUpTo(step)));
  connectingMs += performance.now() - started;
  const proceed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  process.stdout.write(
    `online ${agents.length} ${Math.round(connectingMs)} ${rssBefore} ${process.memoryUsage.rss()}\n`,
  );
  if (i < steps.length - 1) await proceed;
}
