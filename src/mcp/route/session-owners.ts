import type { EphemeralRepository } from '../../store/types.ts';

/** How long an MCP route remembers whose session is whose after its last use. */
const SESSION_TTL_MS = 24 * 3600 * 1000;
const NAMESPACE = 'mcp-session';

/**
 * Whose each upstream MCP session is (2025 revisions), in the store so every node knows: a
 * session begun by one person is not usable by another, whichever node they reach.
 */
export class SessionOwners {
  readonly #ephemeral: EphemeralRepository;

  constructor(ephemeral: EphemeralRepository) {
    this.#ephemeral = ephemeral;
  }

  /** Records that `caller` began the session (its initialize answer named it). */
  async claim(routeId: string, session: string, caller: string): Promise<void> {
    await this.#ephemeral.putIfAbsent(NAMESPACE, `${routeId}:${session}`, caller, SESSION_TTL_MS);
  }

  /** True when the session is `caller`'s; a session nobody claimed (begun elsewhere) is nobody's. */
  async ownedBy(routeId: string, session: string, caller: string): Promise<boolean> {
    return (await this.#ephemeral.get(NAMESPACE, `${routeId}:${session}`)) === caller;
  }
}
