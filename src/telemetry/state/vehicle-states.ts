import type { Logger } from '../../observability/logger.ts';
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

interface Entry {
  state: VehicleState;
  history: VehicleHistory;
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

  constructor(ephemeral: EphemeralRepository, settings: StateSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
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
    await this.#flush().catch(() => {});
  }

  async list(): Promise<VehicleState[]> {
    const stored = new Map((await this.#stored.list()).map((s) => [s.vin, s]));
    for (const vin of this.#entries.keys()) {
      const merged = await this.#view(vin, stored.get(vin));
      if (merged) stored.set(vin, merged.state);
    }
    return [...stored.values()].sort((a, b) => a.vin.localeCompare(b.vin));
  }

  async get(vin: string): Promise<VehicleState | undefined> {
    if (!this.#entries.has(vin)) return this.#stored.get(vin);
    return (await this.#view(vin))?.state;
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

  async #flush(): Promise<void> {
    // One flush at a time, so a slow store sees writes in order and never two of the same vehicle.
    while (this.#flushing) await this.#flushing.catch(() => {});
    const vins = [...this.#dirty];
    const withHistory = new Set(this.#historyDirty);
    const waiters = this.#waiters;
    this.#dirty.clear();
    this.#historyDirty.clear();
    this.#waiters = [];
    if (vins.length === 0) {
      for (const w of waiters) w.resolve();
      return;
    }
    const run = this.#write(vins, withHistory);
    this.#flushing = run;
    try {
      await run;
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
    // Read after every load, so each write holds what memory has now; one batch per collection,
    // since a write per vehicle was most of the receiver's time with a thousand vehicles.
    await this.#states.putMany(
      entries.map((e) => ({ key: e.state.vin, record: e.state })),
      ttl,
    );
    await this.#histories.putMany(
      entries
        .filter((e) => withHistory.has(e.state.vin))
        .map((e) => ({ key: e.state.vin, record: e.history })),
      ttl,
    );
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
