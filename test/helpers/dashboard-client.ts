import { WebSocket } from 'ws';

/** A dashboard WebSocket with every message it received, parsed, in order. */
export interface DashboardClient {
  readonly ws: WebSocket;
  // biome-ignore lint/suspicious/noExplicitAny: messages of several shapes, each pinned down by the test's assertions
  readonly received: any[];
  /** The next message not yet taken, waiting for it when needed. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  next(): Promise<any>;
  /** Resolves with the close code and reason once the connection closes. */
  closed: Promise<{ code: number; reason: string }>;
}

/** What a refused upgrade answered. */
export interface RefusedUpgrade {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON error document
  readonly body: any;
}

/**
 * Opens the dashboard WebSocket, with `headers` (a login's cookie) when given; rejects with a
 * {@link RefusedUpgrade} when the upgrade is refused.
 */
export function connectDashboard(url: string, headers?: Record<string, string>): Promise<DashboardClient> {
  const ws = new WebSocket(url, headers ? { headers } : {});
  const received: unknown[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)));
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const next = async () => {
    while (taken >= received.length) await new Promise<void>((resolve) => (wake = resolve));
    return received[taken++];
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received, next, closed }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        reject({
          status: res.statusCode ?? 0,
          body: text ? JSON.parse(text) : undefined,
        } satisfies RefusedUpgrade);
      });
    });
    ws.once('error', (error) => reject(error));
  });
}
