import type { Logger } from '../../core/logger.ts';
import { expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { TelemetryRecord } from '../records.ts';
import {
  appendHistory,
  applyRecord,
  emptyState,
  mergeStored,
  type RetentionSettings,
} from './apply-record.ts';
import { heldConnection, liveReceivers } from './receiver-leases.ts';
import { VEHICLE_HISTORIES, VEHICLE_STATES } from './state-specs.ts';
import { storedVehicles } from './stored-vehicles.ts';
import type { VehicleHistory, VehicleState, VehicleStateReader } from './vehicle-state.ts';

/** Settings of {@link VehicleStates}. */
export interface StateSettings extends RetentionSettings {
  /** How long a silent vehicle's state and history stay in the store. */
  readonly retentionMs: number;
  /** Longest time a change waits in memory before it is written. */
  readonly flushMs: number;
}

/** Vehicles written per store batch: a full history is tens of KiB of JSON. */
const WRITE_BATCH = 8;

interface Entry {
  state: VehicleState;
  history: VehicleHistory;
  /** When the history was last written (`performance.now()`); unset before the first write. */
  historyWrittenAt?: number;
  /** True once what the store held before this process saw the vehicle is merged in. */
  loaded: boolean;
  loading?: Promise<void> | undefined;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The state of every vehicle this node receives from, kept in memory and written to the store in
 * batches: one write per changed vehicle per flush, however many messages it sent meanwhile.
 */
export class VehicleStates implements VehicleStateReader {
  readonly #settings: StateSettings;
  readonly #logger: Logger;
  readonly #node: string;
  readonly #ephemeral: EphemeralRepository;
  readonly #stored: VehicleStateReader;
  readonly #states;
  readonly #histories;
  readonly #entries = new Map<string, Entry>();
  readonly #dirty = new Set<string>();
  readonly #historyDirty = new Set<string>();
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  #flushing: Promise<void> | undefined;
  #failing = false;

  /**
   * `node` names this node's receiver in the states it writes; its lease (see
   * `receiver-leases.ts`) is what keeps them `CONNECTED` for readers elsewhere.
   */
  constructor(ephemeral: EphemeralRepository, settings: StateSettings, logger: Logger, node: string) {
    this.#settings = settings;
    this.#logger = logger;
    this.#node = node;
    this.#ephemeral = ephemeral;
    this.#stored = storedVehicles(ephemeral);
    this.#states = expiringCollection(ephemeral, VEHICLE_STATES);
    this.#histories = expiringCollection(ephemeral, VEHICLE_HISTORIES);
  }

  /** Takes a record into the vehicle's state (in memory; the store follows within `flushMs`). */
  apply(record: TelemetryRecord): void {
    let entry = this.#entries.get(record.vin);
    if (!entry) {
      entry = {
        state: emptyState(record.vin, record.receivedAt),
        history: { vin: record.vin, samples: [] },
        loaded: false,
      };
      this.#entries.set(record.vin, entry);
    }
    entry.state = applyRecord(entry.state, record, this.#settings);
    // The connection now in the state is one this node's receiver holds.
    if (record.type === 'connectivity' && entry.state.connectionId === record.connectionId)
      entry.state = { ...entry.state, receiver: this.#node };
    if (record.type === 'V') {
      entry.history = appendHistory(entry.history, record, this.#settings);
      this.#historyDirty.add(record.vin);
    }
    this.#dirty.add(record.vin);
    this.#timer ??= setTimeout(() => this.#flushNow(), this.#settings.flushMs);
  }

  /** Resolves once everything applied so far is in the store; rejects if that write fails. */
  flushed(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      // Waiting callers are served at once; those arriving during a flush share the next one.
      this.#soon ??= setImmediate(() => {
        this.#soon = undefined;
        this.#flushNow();
      });
    });
  }

  /** Writes what is pending and stops the timer. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = undefined;
    await this.#flush(true).catch(() => {});
  }

  async list(): Promise<VehicleState[]> {
    const stored = new Map((await this.#stored.list()).map((s) => [s.vin, s]));
    const live = await this.#liveReceivers();
    for (const vin of this.#entries.keys()) {
      const merged = await this.#view(vin, stored.get(vin));
      if (merged) stored.set(vin, heldConnection(merged.state, live));
    }
    return [...stored.values()].sort((a, b) => a.vin.localeCompare(b.vin));
  }

  async get(vin: string): Promise<VehicleState | undefined> {
    if (!this.#entries.has(vin)) return this.#stored.get(vin);
    const state = (await this.#view(vin))?.state;
    return state && heldConnection(state, await this.#liveReceivers());
  }

  /** The receivers alive: those with a lease, and this one, alive whatever the store says now. */
  async #liveReceivers(): Promise<Set<string>> {
    const live = await liveReceivers(this.#ephemeral);
    live.add(this.#node);
    return live;
  }

  async history(vin: string): Promise<VehicleHistory | undefined> {
    if (!this.#entries.has(vin)) return this.#stored.history(vin);
    return (await this.#view(vin))?.history;
  }

  /** Memory over the store, for a vehicle this node has seen. */
  async #view(
    vin: string,
    stored?: VehicleState,
  ): Promise<{ state: VehicleState; history: VehicleHistory } | undefined> {
    const entry = this.#entries.get(vin);
    if (!entry) return undefined;
    if (entry.loaded) return entry;
    const before = stored ?? (await this.#stored.get(vin));
    if (!before) return entry;
    return mergeStored(before, entry.state, await this.#stored.history(vin), entry.history, this.#settings);
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush().catch(() => {});
  }

  async #flush(all = false): Promise<void> {
    // One flush at a time, so a slow store sees writes in order and never two of the same vehicle.
    while (this.#flushing) await this.#flushing.catch(() => {});
    const waiters = this.#waiters;
    this.#waiters = [];
    // A history is rewritten whole, tens of KiB: on the timer, a vehicle's at most once per
    // history interval (its samples' own granularity); a waiter, or the last flush, gets all.
    const now = performance.now();
    const withHistory = new Set<string>();
    for (const vin of this.#historyDirty) {
      const writtenAt = this.#entries.get(vin)?.historyWrittenAt ?? Number.NEGATIVE_INFINITY;
      if (all || waiters.length > 0 || now - writtenAt >= this.#settings.historyIntervalMs)
        withHistory.add(vin);
    }
    for (const vin of withHistory) this.#historyDirty.delete(vin);
    const vins = [...new Set([...this.#dirty, ...withHistory])];
    this.#dirty.clear();
    if (this.#historyDirty.size > 0)
      this.#timer ??= setTimeout(() => this.#flushNow(), this.#settings.flushMs);
    if (vins.length === 0) {
      for (const w of waiters) w.resolve();
      return;
    }
    const run = this.#write(vins, withHistory);
    this.#flushing = run;
    try {
      await run;
      for (const vin of withHistory) {
        const entry = this.#entries.get(vin);
        if (entry) entry.historyWrittenAt = now;
      }
      if (this.#failing) this.#logger.info('vehicle state is written to the store again');
      this.#failing = false;
      for (const w of waiters) w.resolve();
    } catch (error) {
      // Nothing is lost: the vehicles stay pending and the next flush tries again.
      for (const vin of vins) this.#dirty.add(vin);
      for (const vin of withHistory) this.#historyDirty.add(vin);
      if (!this.#failing) this.#logger.warn({ err: error }, 'writing vehicle state to the store failed');
      this.#failing = true;
      for (const w of waiters) w.reject(error);
      this.#timer ??= setTimeout(() => this.#flushNow(), this.#settings.flushMs);
    } finally {
      this.#flushing = undefined;
    }
  }

  async #write(vins: readonly string[], withHistory: ReadonlySet<string>): Promise<void> {
    const ttl = this.#settings.retentionMs;
    const entries: Entry[] = [];
    for (const vin of vins) {
      const entry = this.#entries.get(vin);
      if (!entry) continue;
      if (!entry.loaded) {
        entry.loading ??= this.#load(entry);
        await entry.loading;
      }
      entries.push(entry);
    }
    // Read after every load, so each write holds what memory has now; in batches, since a write
    // per vehicle was most of the receiver's time with a thousand vehicles, and small ones with a
    // turn of the event loop between them, so that acks never wait behind a whole fleet's write.
    for (let from = 0; from < entries.length; from += WRITE_BATCH) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      const batch = entries.slice(from, from + WRITE_BATCH);
      await this.#states.putMany(
        batch.map((e) => ({ key: e.state.vin, record: e.state })),
        ttl,
      );
      await this.#histories.putMany(
        batch
          .filter((e) => withHistory.has(e.state.vin))
          .map((e) => ({ key: e.state.vin, record: e.history })),
        ttl,
      );
    }
  }

  /** Merges what the store held (from an earlier run or another node) under what memory has. */
  async #load(entry: Entry): Promise<void> {
    try {
      const [stored, history] = await Promise.all([
        this.#stored.get(entry.state.vin),
        this.#stored.history(entry.state.vin),
      ]);
      // Synchronous from here: records applied while the store answered are in entry already.
      if (stored) {
        const merged = mergeStored(stored, entry.state, history, entry.history, this.#settings);
        entry.state = merged.state;
        entry.history = merged.history;
      }
      entry.loaded = true;
    } finally {
      entry.loading = undefined;
    }
  }
}
