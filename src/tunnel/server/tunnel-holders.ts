import type { Logger } from '../../core/logger.ts';
import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../../store/expiring.ts';
import type { Store } from '../../store/types.ts';
import type { TransportKind } from '../protocol/transport.ts';
import type { SessionInfo } from '../protocol/tunnel-session.ts';

/** Which node holds a tunnel's agent connection, and what the other nodes need to reach it. */
export interface TunnelHolder {
  readonly node: string;
  /** `host:port` where the node takes links from the others. */
  readonly address: string;
  readonly ip: string;
  readonly agentVersion: string;
  readonly connectedAt: string;
  readonly passthrough: boolean;
  readonly transport: TransportKind;
  readonly localHost?: string | undefined;
}

/** Holder records, by tunnel name; each expires unless its node renews it. */
export const TUNNEL_HOLDERS: ExpiringSpec<TunnelHolder> = { name: 'tunnel-holders' };

/**
 * The store's record of which node holds each tunnel. A node claims a tunnel when its agent
 * connects, renews the claim every heartbeat while the agent stays, and withdraws it when the agent
 * leaves; a node that dies stops renewing, and its claims expire after three heartbeats. The newest
 * connection wins: a node that finds its claim taken by a later one lets its own connection go.
 */
export class TunnelHolders {
  readonly #records: ExpiringCollection<TunnelHolder>;
  readonly #node: string;
  readonly #address: () => string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  /** What this node last wrote for each tunnel it holds. */
  readonly #claims = new Map<string, TunnelHolder>();

  constructor(options: {
    store: Store;
    node: string;
    address: () => string;
    heartbeatMs: number;
    logger: Logger;
  }) {
    this.#records = expiringCollection(options.store.ephemeral, TUNNEL_HOLDERS);
    this.#node = options.node;
    this.#address = options.address;
    this.#ttlMs = 3 * options.heartbeatMs;
    this.#logger = options.logger;
  }

  /** This node's id. */
  get node(): string {
    return this.#node;
  }

  /** Records that this node now holds the tunnel `info` names. */
  async claim(
    info: SessionInfo,
    extra: { transport: TransportKind; localHost: string | undefined },
  ): Promise<void> {
    const holder: TunnelHolder = {
      node: this.#node,
      address: this.#address(),
      ip: info.ip,
      agentVersion: info.agentVersion,
      connectedAt: info.connectedAt.toISOString(),
      passthrough: info.passthrough,
      transport: extra.transport,
      ...(extra.localHost ? { localHost: extra.localHost } : {}),
    };
    this.#claims.set(info.name, holder);
    await this.#records.put(info.name, holder, this.#ttlMs).catch((error: unknown) => {
      this.#logger.warn({ err: error, tunnel: info.name }, 'recording the tunnel holder failed');
    });
  }

  /** Withdraws this node's claim on `name`, unless another node has taken it since. */
  async release(name: string): Promise<void> {
    const claim = this.#claims.get(name);
    if (!claim) return;
    this.#claims.delete(name);
    await this.#records.deleteIf(name, claim).catch(() => {});
  }

  /**
   * Renews every claim still this node's; returns the tunnels another node has taken since (a newer
   * connection of the same agent), whose connection here should end.
   */
  async renew(): Promise<string[]> {
    const taken: string[] = [];
    const renewals: { key: string; record: TunnelHolder }[] = [];
    for (const [name, claim] of this.#claims) {
      const current = await this.#records.get(name).catch(() => claim);
      if (current && current.node !== this.#node && current.connectedAt >= claim.connectedAt)
        taken.push(name);
      else renewals.push({ key: name, record: claim });
    }
    for (const name of taken) this.#claims.delete(name);
    if (renewals.length > 0)
      await this.#records.putMany(renewals, this.#ttlMs).catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'renewing tunnel holders failed');
      });
    return taken;
  }

  /** Every tunnel another node holds, by name (one read of the whole record). */
  async remoteAll(): Promise<Map<string, TunnelHolder>> {
    const all = await this.#records.list().catch(() => []);
    return new Map(
      all.filter(({ record }) => record.node !== this.#node).map(({ key, record }) => [key, record]),
    );
  }

  /** The node holding `name`, when it is another one. */
  async remote(name: string): Promise<TunnelHolder | undefined> {
    const holder = await this.#records.get(name).catch(() => undefined);
    return holder && holder.node !== this.#node ? holder : undefined;
  }
}
