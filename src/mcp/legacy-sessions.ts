import { randomUUID } from 'node:crypto';
import {
  type AuthInfo,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { Clock } from '../core/clock.ts';

/** One 2025-revision session: its transport, its server, whose it is and when it was last used. */
interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly owner: string;
  lastUsed: number;
}

/** Bounds on the sessions one node keeps. */
export interface SessionLimits {
  /** A session unused this long is closed; the client starts a new one (404, then initialize). */
  readonly idleMs: number;
  /** Past this many, the longest idle session is closed first. */
  readonly max: number;
}

/** The JSON-RPC answer for a session this node does not have. */
function sessionGone(): Response {
  return Response.json(
    {
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32001,
        message: 'Session not found: it ended, expired or began on another node; send initialize again',
      },
    },
    { status: 404 },
  );
}

/**
 * The sessions of the 2025-06-18 and 2025-11-25 revisions (initialize, then `Mcp-Session-Id`):
 * each has its own transport and server on the node that began it, bound to the person who began
 * it; someone else's request with its id is answered as if it did not exist.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #clock: Clock;
  readonly #limits: SessionLimits;

  constructor(clock: Clock, limits: SessionLimits) {
    this.#clock = clock;
    this.#limits = limits;
  }

  /** How many sessions are open on this node. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Serves a 2025-revision request: within its session, or starting one with initialize. */
  async handle(
    request: Request,
    options: { parsedBody: unknown; authInfo: AuthInfo; owner: string },
    server: () => McpServer,
  ): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const session = this.#sessions.get(id);
      if (!session || session.owner !== options.owner) return sessionGone();
      session.lastUsed = this.#clock();
      return session.transport.handleRequest(request, options);
    }
    this.#sweep();
    const owner = options.owner;
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.#sessions.set(sessionId, { transport, owner, lastUsed: this.#clock() });
      },
      onsessionclosed: (sessionId) => {
        this.#sessions.delete(sessionId);
      },
    });
    await server().connect(transport);
    // Without a session id only initialize is served; the transport answers anything else 400.
    return transport.handleRequest(request, options);
  }

  /** Closes every session (shutdown). */
  async close(): Promise<void> {
    const open = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(open.map((s) => s.transport.close()));
  }

  /** Closes idle sessions, and the longest idle ones past the limit. */
  #sweep(): void {
    const now = this.#clock();
    const byAge = [...this.#sessions.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    let excess = byAge.length + 1 - this.#limits.max;
    for (const [id, session] of byAge) {
      if (now - session.lastUsed < this.#limits.idleMs && excess <= 0) break;
      this.#sessions.delete(id);
      excess -= 1;
      void session.transport.close().catch(() => {});
    }
  }
}
