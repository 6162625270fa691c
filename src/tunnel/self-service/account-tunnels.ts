import type { Store, TunnelEvent } from '../../store/types.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { TunnelService, TunnelView } from '../server/tunnel-service.ts';

/** The tunnel owner a person's account stands for. */
export function accountOwner(accountId: string): string {
  return `account:${accountId}`;
}

/** What {@link AccountTunnels} works with. */
export interface AccountTunnelsOptions {
  readonly store: Store;
  readonly tunnels: TunnelService;
  /** How many tunnels a person who is not an administrator may have. */
  readonly perUser: number;
}

/** A person as self-service sees them: their account, and whether they administer this Gatehouse. */
export interface TunnelOwner {
  readonly accountId: string;
  readonly admin: boolean;
}

/**
 * The tunnels people own through their login: each gets one with a readable name on first
 * login, may make more up to their limit, rotate a key and delete, and sees only their own. A
 * tunnel someone else owns is "not found", so names of others' tunnels are not confirmed.
 */
export class AccountTunnels {
  readonly #options: AccountTunnelsOptions;

  /** How many tunnels a person who is not an administrator may have. */
  get perUser(): number {
    return this.#options.perUser;
  }

  constructor(options: AccountTunnelsOptions) {
    this.#options = options;
  }

  /** The person's tunnels, oldest first. */
  async list(owner: TunnelOwner): Promise<TunnelView[]> {
    const mine = accountOwner(owner.accountId);
    const records = (await this.#options.store.tunnels.list())
      .filter((t) => t.owner === mine)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return this.#options.tunnels.views(records);
  }

  /**
   * The person's first tunnel, made now (with a readable random name) when they have none and
   * may have one. Undefined when they have none and may not (`--tunnels-per-user 0`).
   */
  async first(owner: TunnelOwner): Promise<TunnelView | undefined> {
    const [oldest] = await this.list(owner);
    if (oldest) return oldest;
    if (!owner.admin && this.#options.perUser < 1) return undefined;
    return (await this.create(owner)).tunnel;
  }

  /** Makes a tunnel for the person; its key is in the result only. */
  create(owner: TunnelOwner, name?: string): Promise<{ tunnel: TunnelView; key: string }> {
    return this.#options.tunnels.create(name, accountOwner(owner.accountId), {
      ...(owner.admin ? {} : { limit: this.#options.perUser }),
      whose: 'you already have',
    });
  }

  /** Gives one of the person's tunnels a new key, disconnecting the agent using the old one. */
  async rotateKey(owner: TunnelOwner, name: string): Promise<{ tunnel: TunnelView; key: string }> {
    await this.#own(owner, name);
    return this.#options.tunnels.rotateKey(name);
  }

  /** Deletes one of the person's tunnels. */
  async delete(owner: TunnelOwner, name: string): Promise<void> {
    await this.#own(owner, name);
    await this.#options.tunnels.delete(name);
  }

  /** The audit trail of one of the person's tunnels, newest first. */
  async events(owner: TunnelOwner, name: string, limit = 100): Promise<TunnelEvent[]> {
    await this.#own(owner, name);
    return this.#options.store.tunnels.events(name, limit);
  }

  /** True when the tunnel is the person's. */
  async owns(owner: TunnelOwner, name: string): Promise<boolean> {
    const record = await this.#options.store.tunnels.get(name);
    return record?.owner === accountOwner(owner.accountId);
  }

  async #own(owner: TunnelOwner, name: string): Promise<void> {
    if (!(await this.owns(owner, name)))
      throw new TunnelError('TUNNEL_NOT_FOUND', `you have no tunnel named ${name}`, { field: 'name' });
  }
}
