import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { type ExpiringSpec, expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';

/** One call through an MCP route: who, what, a hash of the arguments, how it ended, how long it took. */
export interface McpCallRecord {
  readonly id: string;
  readonly at: string;
  readonly who: string;
  readonly method: string;
  readonly name: string | null;
  /** SHA-256 of the arguments (hex); the arguments themselves are never kept. */
  readonly argumentsHash: string | null;
  /** `ok`, `tool-error`, `error <JSON-RPC code>`, `denied`, `header-mismatch`, or `upstream <HTTP status>`. */
  readonly outcome: string;
  readonly durationMs: number;
}

/** How long the record of a call is kept. */
export const MCP_AUDIT_TTL_MS = 30 * 24 * 3600 * 1000;

const CALLS: ExpiringSpec<McpCallRecord> = { name: 'mcp-call' };

/** The record of an MCP route's calls, kept in the store (every node sees it) for 30 days. */
export class McpAudit {
  readonly #ephemeral: EphemeralRepository;
  readonly #clock: Clock;

  constructor(ephemeral: EphemeralRepository, clock: Clock) {
    this.#ephemeral = ephemeral;
    this.#clock = clock;
  }

  /** Records one call. Keys sort by time, so the listing is in order without reading each. */
  async record(routeId: string, call: Omit<McpCallRecord, 'id' | 'at'>): Promise<void> {
    const now = this.#clock();
    const id = `${String(now).padStart(15, '0')}-${randomUUID().slice(0, 8)}`;
    await expiringCollection(this.#ephemeral, CALLS, routeId).put(
      id,
      { id, at: new Date(now).toISOString(), ...call },
      MCP_AUDIT_TTL_MS,
    );
  }

  /** The route's calls, newest first, at most `limit`. */
  async calls(routeId: string, limit: number): Promise<McpCallRecord[]> {
    const all = await expiringCollection(this.#ephemeral, CALLS, routeId).list();
    return all
      .map((r) => r.record)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }
}
