import { Agent } from 'undici';

/**
 * Keep-alive connection pools to upstreams. undici sets the connect timeout per agent, so routes
 * with different connect timeouts get different agents; there are only ever a handful.
 */
export class UpstreamPool {
  readonly #agents = new Map<number, Agent>();

  /** The agent whose connections time out after `connectMs`. */
  agentFor(connectMs: number): Agent {
    let agent = this.#agents.get(connectMs);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: connectMs },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        pipelining: 1,
      });
      this.#agents.set(connectMs, agent);
    }
    return agent;
  }

  /** Closes idle connections and refuses new ones; in-flight requests finish first. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }
}
