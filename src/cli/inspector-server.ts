import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { ConfigError } from '../core/config-error.ts';
import { createInspectorApp, type InspectorOptions } from '../tunnel/agent/inspector.ts';

/** A running inspector: where it listens, and how to stop it. */
export interface InspectorServer {
  /** `http://127.0.0.1:4040`, without the token. */
  readonly url: string;
  close(): void;
}

/** `127.0.0.1:4040` or `4040` as a host and port; undefined when it is neither. */
export function parseInspectAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  const host = colon === -1 ? '127.0.0.1' : address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(colon === -1 ? address : address.slice(colon + 1));
  if (!host || !Number.isInteger(port) || port < 0 || port > 65_535) return undefined;
  return { host, port };
}

/** Starts the inspector on `port`, or the next free one, as another agent may hold 4040 already. */
export async function startInspector(
  address: { host: string; port: number },
  options: InspectorOptions,
): Promise<InspectorServer> {
  const server = createServer(getRequestListener(createInspectorApp(options).fetch));
  const { host, port } = address;
  let lastError: Error | undefined;
  for (let candidate = port; candidate < port + 20; candidate++) {
    const error = await listen(server, candidate, host);
    if (!error) {
      const actual = (server.address() as { port: number }).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return {
        url: `http://${shown}:${actual}`,
        close() {
          server.closeAllConnections();
          server.close();
        },
      };
    }
    lastError = error;
    if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
  }
  throw new ConfigError(`the inspector cannot listen at ${host}:${port} (${lastError?.message})`, {
    field: 'inspect',
    cause: lastError,
  });
}

function listen(server: Server, port: number, host: string): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const onError = (error: Error) => resolve(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}
