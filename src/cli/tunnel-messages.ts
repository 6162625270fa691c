import type { FatalReason } from '../tunnel/agent/tunnel-agent.ts';

/** What `gatehouse tunnel` was asked to do, as its messages name it. */
export interface TunnelContext {
  readonly server: URL;
  readonly name: string;
  readonly retryForSeconds: number;
  /** Who the run is logged in as (`gatehouse login`), when it connects with a login, not a key. */
  readonly login?: string | undefined;
}

/** The one message for why the agent stopped: what happened, where, and what to do next. */
export function fatalMessage(reason: FatalReason, context: TunnelContext): string {
  const { server, name, login } = context;
  if (login !== undefined && reason.kind === 'bad-key')
    return (
      `${server.origin} no longer accepts the login as ${login} (logged out, or revoked there): ` +
      `log in again with gatehouse login --server ${server.origin}, then run this command again`
    );
  // The server's words name the person's tunnels, where a key's message would speak of keys.
  if (login !== undefined && reason.kind === 'no-such-tunnel') return reason.message;
  switch (reason.kind) {
    // The server's own text for these two says the same thing again, so it is left out.
    case 'bad-key':
      return (
        `${server.origin} refused the key for tunnel ${name} (was it rotated?). Pass its current key ` +
        `with --key, or get a new one with an admin key: gatehouse tunnels rotate-key ${name} ` +
        `--server ${server.origin} (or run this with --admin-key instead of --key)`
      );
    case 'no-such-tunnel':
      return (
        `${server.origin} has no tunnel named ${name}. Check --name, or create it by running this ` +
        'command with --admin-key instead of --key'
      );
    case 'unreachable':
      if (reason.permanent) return `${reason.message}. Trying again would not help: check --server`;
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
