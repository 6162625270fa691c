import type { ServeConfig } from '../config/schema.ts';
import { ConfigError } from '../core/config-error.ts';

/**
 * Completes a listener's refusal to start with the setting that changes it: `--port` and
 * `--tls-port` for the listeners those make, the config file's `listeners.N` entry otherwise. An
 * address that is not this machine's (`--host`) becomes a message too instead of a stack trace.
 */
export function explainListenError(error: unknown, config: ServeConfig): unknown {
  const code = errnoCode(error instanceof ConfigError ? error.cause : error);
  if (error instanceof ConfigError && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const setting = portSetting(config, error.field);
    if (setting === undefined) return error;
    return new ConfigError(`${error.message} with ${setting} (0 picks a free one)`, {
      field: error.field,
      cause: error.cause,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = (error as { hostname?: string; address?: string }).hostname ?? config.host;
    return new ConfigError(
      `cannot listen on ${JSON.stringify(host)}: it is not an address of this machine; give one of its ` +
        `addresses with ${config.listeners ? 'the listener’s host in the config file' : '--host or GATEHOUSE_HOST'}, ` +
        'or leave it out to listen on all of them',
      { field: 'host', cause: error },
    );
  }
  return error;
}

/** Which setting holds the port of the listener named `name`. */
function portSetting(config: ServeConfig, name: string | undefined): string | undefined {
  if (config.listeners) {
    const index = config.listeners.findIndex((l) => l.name === name);
    return index === -1 ? undefined : `listeners.${index}.port in the config file`;
  }
  // Without a list, the classic settings make these two (see listenersOf).
  if (name === 'http') return '--port or GATEHOUSE_PORT';
  if (name === 'https') return '--tls-port or GATEHOUSE_TLS_PORT';
  return undefined;
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
