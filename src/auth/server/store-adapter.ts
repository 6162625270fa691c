import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../core/clock.ts';
import type { EphemeralRepository } from '../../store/types.ts';

/** Records stored without an expiry are kept this long: in effect, for good. */
const NO_EXPIRY_MS = 100 * 365 * 24 * 3600 * 1000;

/**
 * A registered client is forgotten after this long without a grant: registration is open to
 * anyone, and a client nobody uses would otherwise keep its row for good. Each grant it gets keeps
 * it for as long as the grant lasts, and this long after.
 */
export const UNUSED_CLIENT_MS = 30 * 24 * 3600 * 1000;

/** How a model record is stored: the payload and when it expires, so a consume keeps the expiry. */
interface Stored {
  readonly payload: AdapterPayload;
  readonly expiresAt: number;
}

const ns = {
  model: (model: string) => `oidc:${model}`,
  uid: 'oidc-uid',
  userCode: 'oidc-usercode',
  consumed: 'oidc-consumed',
  grant: (grantId: string) => `oidc-grant:${grantId}`,
};

/** Called when a second consume of one record loses the race: a replay across nodes. */
export type ReplayHandler = (model: string, payload: AdapterPayload) => Promise<never>;

/**
 * oidc-provider's models (sessions, codes, tokens, grants, clients…) in Gatehouse's expiring
 * records, so every node sharing the store shares them. Secondary lookups are records of their own:
 * session uid → id, user code → id, and per grant the members a revocation removes.
 */
export class StoreAdapter implements Adapter {
  readonly #model: string;
  readonly #ephemeral: EphemeralRepository;
  readonly #clock: Clock;
  readonly #onReplay: ReplayHandler;

  constructor(model: string, ephemeral: EphemeralRepository, clock: Clock, onReplay: ReplayHandler) {
    this.#model = model;
    this.#ephemeral = ephemeral;
    this.#clock = clock;
    this.#onReplay = onReplay;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const unlimited = this.#model === 'Client' ? UNUSED_CLIENT_MS : NO_EXPIRY_MS;
    const ttlMs = expiresIn === undefined ? unlimited : Math.max(1, expiresIn) * 1000;
    const stored: Stored = { payload, expiresAt: this.#clock() + ttlMs };
    await this.#ephemeral.put(ns.model(this.#model), id, JSON.stringify(stored), ttlMs);
    const ref = `${this.#model}:${id}`;
    if (this.#model === 'Session' && typeof payload.uid === 'string')
      await this.#ephemeral.put(ns.uid, payload.uid, id, ttlMs);
    if (typeof payload.userCode === 'string')
      await this.#ephemeral.put(ns.userCode, payload.userCode, id, ttlMs);
    if (typeof payload.grantId === 'string' && this.#model !== 'Grant')
      await this.#ephemeral.put(ns.grant(payload.grantId), ref, '', ttlMs);
    if (this.#model === 'Grant' && typeof payload.clientId === 'string')
      await this.#keepClient(payload.clientId, ttlMs + UNUSED_CLIENT_MS);
  }

  /** Keeps a registered client at least `ttlMs` longer (a first-party client is not stored: nothing to do). */
  async #keepClient(clientId: string, ttlMs: number): Promise<void> {
    const json = await this.#ephemeral.get(ns.model('Client'), clientId);
    if (json === undefined) return;
    const stored = JSON.parse(json) as Stored;
    const expiresAt = this.#clock() + ttlMs;
    if (stored.expiresAt >= expiresAt) return;
    await this.#ephemeral.put(ns.model('Client'), clientId, JSON.stringify({ ...stored, expiresAt }), ttlMs);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const json = await this.#ephemeral.get(ns.model(this.#model), id);
    if (json === undefined) return undefined;
    const { payload } = JSON.parse(json) as Stored;
    const consumed = await this.#ephemeral.get(ns.consumed, `${this.#model}:${id}`);
    return consumed === undefined ? payload : { ...payload, consumed: Number(consumed) };
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.#ephemeral.get(ns.uid, uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.#ephemeral.get(ns.userCode, userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const json = await this.#ephemeral.get(ns.model(this.#model), id);
    if (json === undefined) return;
    const { payload, expiresAt } = JSON.parse(json) as Stored;
    const ttlMs = Math.max(1, expiresAt - this.#clock());
    // The mark is written only if absent, atomically on every backend: of two nodes redeeming
    // one code at the same moment, exactly one wins and the other is treated as a replay.
    const first = await this.#ephemeral.putIfAbsent(
      ns.consumed,
      `${this.#model}:${id}`,
      String(Math.floor(this.#clock() / 1000)),
      ttlMs,
    );
    if (!first) await this.#onReplay(this.#model, payload);
  }

  async destroy(id: string): Promise<void> {
    const payload = await this.find(id);
    await this.#ephemeral.delete(ns.model(this.#model), id);
    await this.#ephemeral.delete(ns.consumed, `${this.#model}:${id}`);
    if (!payload) return;
    if (this.#model === 'Session' && typeof payload.uid === 'string')
      await this.#ephemeral.delete(ns.uid, payload.uid);
    if (typeof payload.userCode === 'string') await this.#ephemeral.delete(ns.userCode, payload.userCode);
    if (typeof payload.grantId === 'string')
      await this.#ephemeral.delete(ns.grant(payload.grantId), `${this.#model}:${id}`);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await revokeGrantMembers(this.#ephemeral, this.#clock, grantId, this.#model);
  }
}

/**
 * Removes the records of a grant: of one model, or of every model when `model` is undefined
 * (a revoked family). The grant itself is the `Grant` record, removed by its own id.
 */
export async function revokeGrantMembers(
  ephemeral: EphemeralRepository,
  clock: Clock,
  grantId: string,
  model?: string,
): Promise<void> {
  for (const { key } of await ephemeral.list(ns.grant(grantId))) {
    const separator = key.indexOf(':');
    const memberModel = key.slice(0, separator);
    if (model !== undefined && memberModel !== model) continue;
    const adapter = new StoreAdapter(memberModel, ephemeral, clock, async () => {
      throw new Error('not consuming');
    });
    await adapter.destroy(key.slice(separator + 1));
    await ephemeral.delete(ns.grant(grantId), key);
  }
}

/** Revokes a whole grant on every node: its tokens, codes and the grant record. */
export async function revokeGrant(
  ephemeral: EphemeralRepository,
  clock: Clock,
  grantId: string,
): Promise<void> {
  await revokeGrantMembers(ephemeral, clock, grantId);
  await ephemeral.delete(ns.model('Grant'), grantId);
}

/** True while the grant record exists (not revoked, not expired). */
export async function grantExists(ephemeral: EphemeralRepository, grantId: string): Promise<boolean> {
  return (await ephemeral.get(ns.model('Grant'), grantId)) !== undefined;
}

/** The ids of the live grants an account holds, of any client: what revoking a person's logins removes. */
export async function grantIdsOf(ephemeral: EphemeralRepository, accountId: string): Promise<string[]> {
  const grants = await ephemeral.list(ns.model('Grant'));
  return grants
    .filter(({ value }) => (JSON.parse(value) as Stored).payload.accountId === accountId)
    .map(({ key }) => key);
}
