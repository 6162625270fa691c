import type { PassthroughTarget } from '../tunnel/agent/local-passthrough.ts';

/**
 * The local TLS server of `--tls-passthrough`: `PORT` (on 127.0.0.1) or `HOST:PORT`; a message
 * saying what is wrong otherwise.
 */
export function parsePassthroughTarget(value: string): PassthroughTarget | { problem: string } {
  const match = /^(?:(\[[0-9a-f:.]+\]|[a-z0-9.-]+):)?(\d{1,5})$/i.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || !(port >= 1 && port <= 65535))
    return {
      problem: `--tls-passthrough must be the local TLS server's PORT or HOST:PORT, e.g. 8443 or 127.0.0.1:8443, not ${JSON.stringify(value)}`,
    };
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/** `127.0.0.1:8443`, `[::1]:8443`. */
export function passthroughTargetText(target: PassthroughTarget): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}
