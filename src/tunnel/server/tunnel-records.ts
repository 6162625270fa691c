import { generateApiKey } from '../../auth/keys/api-key.ts';
import { type Clock, dateOf } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { StoreError } from '../../store/errors.ts';
import { withStoreLock } from '../../store/store-lock.ts';
import type { Store, TunnelRecord } from '../../store/types.ts';
import { TunnelError } from '../protocol/errors.ts';
import { randomTunnelName, tunnelNameProblem } from './tunnel-name.ts';

/** A tunnel record and its key, shown once. */
export interface KeyedTunnel {
  readonly record: TunnelRecord;
  readonly key: string;
}

/**
 * Tunnel identities in the store (name, owner, key hash), and the names known on this node,
 * followed through the store's change feed so every node routes a new tunnel's host.
 */
export class TunnelRecords {
  readonly #options: { store: Store; logger: Logger; clock: Clock; maxPerOwner: number };
  #names = new Set<string>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: { store: Store; logger: Logger; clock: Clock; maxPerOwner: number }) {
    this.#options = options;
  }

  /** Loads the tunnel names and follows changes. */
  async start(): Promise<void> {
    const { store, logger } = this.#options;
    const load = async () => {
      this.#names = new Set((await store.tunnels.list()).map((t) => t.name));
    };
    this.#unsubscribe = store.onChange((event) => {
      if (event.topic === 'tunnels')
        load().catch((error: unknown) => logger.error({ err: error }, 'reloading tunnels failed'));
    });
    await load();
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  /** True when a tunnel of this name exists (as last loaded). */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /**
   * Creates a tunnel; its key is in the result and nowhere else. `limit` is how many the owner
   * may have (by default the per-key limit) and `whose` names them in the refusal.
   */
  async create(
    name: string | undefined,
    owner: string,
    {
      limit = this.#options.maxPerOwner,
      whose = 'this key already owns',
    }: { limit?: number; whose?: string } = {},
  ): Promise<KeyedTunnel> {
    const { store } = this.#options;
    const chosen = name ?? randomTunnelName();
    const problem = tunnelNameProblem(chosen);
    if (problem) throw new TunnelError('TUNNEL_NAME_INVALID', `name: ${problem}`, { field: 'name' });
    // Counted and inserted under the owner's lock: two creates at once, on two nodes, cannot both pass.
    const made = await withStoreLock(store.ephemeral, `tunnel-owner:${owner}`, async () => {
      const owned = (await store.tunnels.list()).filter((t) => t.owner === owner).length;
      if (owned >= limit) {
        throw new TunnelError(
          'TUNNEL_LIMIT_REACHED',
          `${whose} ${owned} ${owned === 1 ? 'tunnel' : 'tunnels'}, the most allowed: delete one first`,
        );
      }
      const key = generateApiKey('gt_');
      const record: TunnelRecord = {
        name: chosen,
        owner,
        keyHash: key.hash,
        keyPrefix: key.prefix,
        createdAt: this.#now(),
      };
      try {
        await store.tunnels.insert(record);
      } catch (error) {
        if (error instanceof StoreError && error.code === 'STORE_CONFLICT') {
          throw new TunnelError('TUNNEL_NAME_TAKEN', `the name ${chosen} is taken`, { field: 'name' });
        }
        throw error;
      }
      return { record, key: key.secret };
    });
    this.#names.add(chosen);
    return made;
  }

  /** Replaces a tunnel's key. */
  async rotateKey(name: string): Promise<KeyedTunnel> {
    const { store } = this.#options;
    const key = generateApiKey('gt_');
    if (!(await store.tunnels.setKey(name, key.hash, key.prefix, this.#now())))
      throw new TunnelError('TUNNEL_NOT_FOUND', `no tunnel named ${name}`, { field: 'name' });
    return { record: (await store.tunnels.get(name))!, key: key.secret };
  }

  /** Deletes a tunnel's record. */
  async delete(name: string): Promise<void> {
    if (!(await this.#options.store.tunnels.delete(name)))
      throw new TunnelError('TUNNEL_NOT_FOUND', `no tunnel named ${name}`, { field: 'name' });
    this.#names.delete(name);
  }

  #now(): string {
    return dateOf(this.#options.clock).toISOString();
  }
}
