import type { FatalReason } from '../tunnel/agent/tunnel-agent.ts';

/** What `gatehouse tunnel` was asked to do, as its messages name it. */
export interface TunnelContext {
  readonly server: URL;
  readonly name: string;
  readonly retryForSeconds: number;
}

/** The one message for why the agent stopped: what happened, where, and what to do next. */
export function fatalMessage(reason: FatalReason, context: TunnelContext): string {
  const { server, name } = context;
  switch (reason.kind) {
    // The server's own text for these two says the same thing again, so it is left out.
    case 'bad-key':
      return (
        `${server.origin} refused the key for tunnel ${name} (was it rotated?). Pass its current key ` +
        `with --key, or get a new one with an admin key: POST /api/v1/tunnels/${name}/rotate-key`
      );
    case 'no-such-tunnel':
      return (
        `${server.origin} has no tunnel named ${name}. Check --name, or create it by running this ` +
        'command with --admin-key instead of --key'
      );
    case 'unreachable':
      return (
        `${reason.message} (--retry-for ${context.retryForSeconds}). Check --server and that Gatehouse ` +
        'runs there, or keep trying longer with --retry-for SECONDS (0 = never give up)'
      );
    // The server's text (or the agent's) says what is missing and how to add it.
    case 'passthrough-unavailable':
      return reason.message;
  }
}

/** `1 request`, `2 requests`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
