import { webSocketEcho } from '../lib/ws-echo.ts';
import { type BenchContext, interleaved } from './context.ts';

/** Scenario 6: round trip of a small WebSocket message, one in flight at a time. */
export function webSocketRoundTrip(ctx: BenchContext) {
  const messages = ctx.budget.echoMessages;
  return interleaved(
    ctx,
    {
      id: 'websocket',
      title: 'WebSocket echo',
      description: `${messages.toLocaleString('en-US')} sequential 32-byte messages per round over one connection, echoed by the local server.`,
      metrics: [
        { key: 'p50Ms', label: 'round trip p50', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 3 },
        { key: 'p99Ms', label: 'round trip p99', unit: 'ms', better: 'lower', vsDirect: 'added', digits: 3 },
      ],
    },
    async (c) => ({ values: await webSocketEcho(c.target, { messages, size: 32 }) }),
  );
}
