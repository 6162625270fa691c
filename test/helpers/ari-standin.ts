import { readFileSync } from 'node:fs';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Pebble } from './pebble.ts';

/** What the stand-in saw in one newOrder request. */
export interface SeenOrder {
  readonly identifiers: readonly { type: string; value: string }[];
  readonly profile?: string;
  readonly replaces?: string;
}

/** A suggested renewal window, and the Retry-After that goes with it. */
export interface StandinWindow {
  readonly start: number;
  readonly end: number;
  readonly retryAfterSeconds?: number;
}

/** pebble behind a stand-in that adds ARI (RFC 9773) and certificate profiles to its directory. */
export interface AriStandin {
  /** The directory URL to give Gatehouse. */
  readonly directory: string;
  /** Every newOrder, in order. */
  readonly orders: SeenOrder[];
  /** Every certificate id ARI was asked about. */
  readonly lookups: string[];
  /** Sets the window every renewalInfo answer suggests. */
  setWindow(window: StandinWindow): void;
  /** Refuses newOrders naming a certificate they replace, as a CA does for one already replaced. */
  refuseReplaces(on: boolean): void;
  /** Refuses every newOrder with this problem document and Retry-After (undefined: orders pass again). */
  refuseOrders(
    refusal: { status: number; type: string; detail: string; retryAfterSeconds: number } | undefined,
  ): void;
  stop(): Promise<void>;
}

/**
 * Starts an HTTPS stand-in in front of pebble's API. Requests pass through with their Host kept,
 * so pebble builds its URLs (and checks each JWS `url`) against the stand-in's address; the
 * directory gains `renewalInfo` and `meta.profiles`; newOrder payloads are recorded.
 */
export async function startAriStandin(
  pebble: Pebble,
  profiles: Readonly<Record<string, string>>,
  window: StandinWindow,
): Promise<AriStandin> {
  const upstream = new URL(pebble.directory);
  const orders: SeenOrder[] = [];
  const lookups: string[] = [];
  let current = window;
  let refusingReplaces = false;
  let refusal: { status: number; type: string; detail: string; retryAfterSeconds: number } | undefined;
  const key = readFileSync(pebble.apiCaFile.replace(/\.pem$/, '.key'));
  const server: Server = createServer({ cert: pebble.apiCa, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (path.startsWith('/renewal-info/')) {
        lookups.push(path.slice('/renewal-info/'.length));
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(current.retryAfterSeconds ? { 'retry-after': String(current.retryAfterSeconds) } : {}),
        });
        res.end(
          JSON.stringify({
            suggestedWindow: {
              start: new Date(current.start).toISOString(),
              end: new Date(current.end).toISOString(),
            },
            explanationURL: `https://${req.headers.host}/why`,
          }),
        );
        return;
      }
      if (req.method === 'POST' && path === '/order-plz') {
        const jws = JSON.parse(body.toString()) as { payload: string };
        const seen = JSON.parse(Buffer.from(jws.payload, 'base64url').toString()) as SeenOrder;
        orders.push(seen);
        if (refusingReplaces && seen.replaces) {
          res.writeHead(409, { 'content-type': 'application/problem+json' });
          res.end(
            JSON.stringify({
              type: 'urn:ietf:params:acme:error:alreadyReplaced',
              detail: `${seen.replaces} was replaced already`,
              status: 409,
            }),
          );
          return;
        }
        if (refusal) {
          res.writeHead(refusal.status, {
            'content-type': 'application/problem+json',
            'retry-after': String(refusal.retryAfterSeconds),
          });
          res.end(JSON.stringify({ type: refusal.type, detail: refusal.detail, status: refusal.status }));
          return;
        }
      }
      const forward = httpsRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path,
          method: req.method,
          headers: req.headers,
          ca: pebble.apiCa,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            let out = Buffer.concat(parts);
            const headers = { ...answer.headers };
            if (path === '/dir') {
              const directory = JSON.parse(out.toString()) as Record<string, unknown>;
              directory['renewalInfo'] = `https://${req.headers.host}/renewal-info`;
              directory['meta'] = { ...(directory['meta'] as object), profiles };
              out = Buffer.from(JSON.stringify(directory));
              delete headers['content-length'];
            }
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    directory: `https://127.0.0.1:${(server.address() as AddressInfo).port}/dir`,
    orders,
    lookups,
    setWindow: (next) => {
      current = next;
    },
    refuseReplaces: (on) => {
      refusingReplaces = on;
    },
    refuseOrders: (next) => {
      refusal = next;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
