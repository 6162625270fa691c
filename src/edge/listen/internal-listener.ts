import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback-only server for the gateway's calls to itself, and the fetch that reaches it. */
export interface InternalListener {
  /** Fetch for URLs under `origin`: sent to the loopback server instead. */
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * Serves `handle` on 127.0.0.1 at a port of its own, for server-to-server calls the gateway makes
 * to its own authorization server (a protected host trading a code for tokens). Its public address
 * may not be reachable from inside (a load balancer in front, DNS that points elsewhere), and
 * TLS to itself would need its own certificate trusted: loopback needs neither. Requests arrive
 * with `host` as their Host and the origin's scheme, as if they had come the public way.
 */
export async function startInternalListener(
  origin: string,
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<InternalListener> {
  const https = origin.startsWith('https:');
  const server = createServer((req, res) => {
    req.headers.host = host;
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-proto'];
    // The answers (discovery's endpoint URLs) must name the public scheme, which the handler
    // reads off the socket: this loopback socket stands for the public https connection.
    if (https) Object.defineProperty(req.socket, 'encrypted', { value: true, configurable: true });
    void handle(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const loopback = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = origin.replace(/\/$/, '');
  return {
    fetch: (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(`${base}/`) && url !== base)
        return Promise.reject(new Error(`${url} is not under ${base}, the only origin served here`));
      return fetch(`${loopback}${url.slice(base.length)}`, init);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}
