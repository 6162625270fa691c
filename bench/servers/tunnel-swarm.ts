// Connects many tunnel agents from one process, for the idle-tunnel benchmark. Takes the
// tunnels as a JSON file; prints `online <count> <ms> <rss before> <rss after>` once all are
// connected, then stays until stopped.
import { readFileSync } from 'node:fs';
import { TunnelAgent } from '../../src/tunnel/agent/tunnel-agent.ts';

const [server, local, listFile] = process.argv.slice(2);
const tunnels = JSON.parse(readFileSync(listFile!, 'utf8')) as { name: string; key: string }[];
const CONCURRENCY = 100;
const rssBefore = process.memoryUsage.rss();
const started = performance.now();
const agents: TunnelAgent[] = [];
let next = 0;

async function connectNext(): Promise<void> {
  while (next < tunnels.length) {
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

await Promise.all(Array.from({ length: CONCURRENCY }, connectNext));
const elapsed = Math.round(performance.now() - started);
process.stdout.write(`online ${agents.length} ${elapsed} ${rssBefore} ${process.memoryUsage.rss()}\n`);
process.on('SIGTERM', () => {
  for (const agent of agents) agent.stop();
  process.exit(0);
});
