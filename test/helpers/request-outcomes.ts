import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a request ended at the server: its body arrived whole, or the request was cut. */
export interface RequestOutcome {
  readonly ended: 'complete' | 'aborted';
  readonly body: string;
}

/** A local server that tells, for each path, how the request's body ended. */
export interface OutcomeServer {
  readonly url: string;
  readonly server: Server;
  /** Resolves once a request for `path` has arrived (its head). */
  arrived(path: string): Promise<void>;
  /** Resolves once the body of the request for `path` holds at least `text`. */
  received(path: string, text: string): Promise<void>;
  /** Resolves with how the request for `path` ended. */
  outcome(path: string): Promise<RequestOutcome>;
  /** How the request for `path` ended, if it has; `arrived` while it is still open. */
  peek(path: string): RequestOutcome | 'arrived' | undefined;
  close(): Promise<void>;
}

/** Starts an {@link OutcomeServer}; a complete request is answered 200 with its body's length. */
export async function startOutcomeServer(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_req, res, body) =>
    res.end(`got ${body.length} bytes`),
): Promise<OutcomeServer> {
  const events = new EventEmitter();
  const arrived = new Set<string>();
  const bodies = new Map<string, string>();
  const outcomes = new Map<string, RequestOutcome>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    let body = '';
    arrived.add(path);
    events.emit(`arrived ${path}`);
    req.setEncoding('latin1');
    req.on('error', () => {});
    req.on('data', (chunk: string) => {
      body += chunk;
      bodies.set(path, body);
      events.emit(`data ${path}`);
    });
    const settle = (ended: RequestOutcome['ended']) => {
      if (outcomes.has(path)) return;
      outcomes.set(path, { ended, body });
      events.emit(`outcome ${path}`);
    };
    req.once('end', () => {
      settle('complete');
      answer(req, res, body);
    });
    req.once('close', () => {
      if (!req.complete) settle('aborted');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const until = async (event: string, done: () => boolean) => {
    while (!done()) await once(events, event);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    arrived: (path) => until(`arrived ${path}`, () => arrived.has(path)),
    received: (path, text) => until(`data ${path}`, () => (bodies.get(path) ?? '').includes(text)),
    async outcome(path) {
      await until(`outcome ${path}`, () => outcomes.has(path));
      return outcomes.get(path)!;
    },
    peek: (path) => outcomes.get(path) ?? (arrived.has(path) ? 'arrived' : undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Rejects when `promise` has not settled within `ms`: a bound on how long a test waits for `what`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
