import { once } from 'node:events';
import WebSocket from 'ws';
import type { Target } from './load.ts';
import { median } from './results.ts';

/** Round trips of small WebSocket messages, one at a time, over one connection. */
export async function webSocketEcho(
  target: Target,
  options: { messages: number; size: number },
): Promise<{ p50Ms: number; p99Ms: number }> {
  const ws = new WebSocket(`${target.url.replace(/^http/, 'ws')}/echo`, {
    perMessageDeflate: false,
    ...(target.host ? { headers: { host: target.host } } : {}),
  });
  await once(ws, 'open');
  const payload = Buffer.alloc(options.size, 0x62);
  const times: number[] = [];
  try {
    // A few unmeasured trips first: connection set-up and JIT are not what this measures.
    for (let i = -20; i < options.messages; i++) {
      const started = process.hrtime.bigint();
      ws.send(payload);
      await once(ws, 'message');
      if (i >= 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    ws.close();
  }
  times.sort((a, b) => a - b);
  return { p50Ms: median(times), p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]! };
}
