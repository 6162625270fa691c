import type { Server, ServerResponse } from 'node:http';

/** Requests being answered, so shutdown can wait for them instead of cutting them off. */
export class InFlight {
  #count = 0;
  #draining: { servers: readonly Server[]; idle: () => void } | undefined;

  /** Counts a request until its response closes. */
  track(res: ServerResponse): void {
    this.#count++;
    res.once('close', () => {
      this.#count--;
      const draining = this.#draining;
      if (!draining) return;
      // Its keep-alive connection is idle now: close it rather than wait for the client.
      for (const s of draining.servers) s.closeIdleConnections();
      if (this.#count === 0) draining.idle();
    });
  }

  /** Waits until no request is in flight or `timeoutMs` passed; resolves with how many are left. */
  async drain(servers: readonly Server[], timeoutMs: number): Promise<number> {
    for (const s of servers) s.closeIdleConnections();
    if (this.#count === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#draining = { servers, idle: resolve };
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.#draining = undefined;
    return this.#count;
  }
}
