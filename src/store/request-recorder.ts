import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Metrics } from '../core/metrics.ts';
import {
  type PendingRequest,
  type RequestEntry,
  type RequestLogRepository,
  type RequestRecord,
  recordOf,
} from './request-log.ts';

/** Most records one write carries when a backlog has built up. */
const MAX_BATCH = 5000;

/** What {@link RequestRecorder} works with. */
export interface RequestRecorderOptions {
  readonly log: RequestLogRepository;
  readonly clock: Clock;
  /** Records older than this go (ms). */
  readonly retentionMs: number;
  /** At most this many records are kept. */
  readonly max: number;
  readonly metrics?: Metrics | undefined;
  /** Told when a write or a prune fails (the records of that batch are counted as dropped). */
  readonly onError?: ((error: unknown) => void) | undefined;
  /** A batch is written at least this often (default 250 ms). */
  readonly flushEveryMs?: number | undefined;
  /** A batch is written as soon as this many wait (default 500). */
  readonly batchSize?: number | undefined;
  /** Records waiting past this many are dropped and counted, so memory stays bounded (default 20000). */
  readonly queueLimit?: number | undefined;
  /** Retention runs this often (default 60 s). */
  readonly pruneEveryMs?: number | undefined;
}

/**
 * Takes every answered request off the hot path: `record` only queues (and tells live followers);
 * batches go to the store every {@link RequestRecorderOptions.flushEveryMs} or every
 * {@link RequestRecorderOptions.batchSize} records, one write at a time. A store that cannot keep up
 * loses records, counted in /metrics, rather than grow memory.
 */
export class RequestRecorder {
  readonly #options: RequestRecorderOptions & {
    readonly flushEveryMs: number;
    readonly batchSize: number;
    readonly queueLimit: number;
    readonly pruneEveryMs: number;
  };
  #queue: PendingRequest[] = [];
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pruner: NodeJS.Timeout | undefined;
  readonly #followers = new Map<(record: RequestRecord) => void, () => void>();
  // Ids are this node's tag and a counter: unique across nodes sharing a store, and cheap.
  readonly #node: string;
  #seq = 0;
  #soon = false;
  #dropped = 0;
  #written = 0;

  constructor(options: RequestRecorderOptions) {
    this.#node = `${options.clock().toString(36)}${randomBytes(3).toString('hex')}-`;
    this.#options = {
      ...options,
      flushEveryMs: options.flushEveryMs ?? 250,
      batchSize: options.batchSize ?? 500,
      queueLimit: options.queueLimit ?? 20_000,
      pruneEveryMs: options.pruneEveryMs ?? 60_000,
    };
  }

  /** Starts the flush and retention timers. */
  start(): void {
    this.#timer = setInterval(() => void this.#write(this.#options.batchSize), this.#options.flushEveryMs);
    this.#timer.unref();
    this.#pruner = setInterval(() => void this.prune().catch(() => {}), this.#options.pruneEveryMs);
    this.#pruner.unref();
  }

  /** Stops the timers and writes what waits. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#pruner);
    await this.flush();
  }

  /** Queues one answered request; never waits and never throws. */
  record(entry: RequestEntry): void {
    // The entry is kept as the edge made it: this runs for every request, so nothing is copied,
    // and the record's own shape is built only for live followers and stores that need it.
    const pending: PendingRequest = { id: `${this.#node}${(this.#seq++).toString(36)}`, entry };
    if (this.#followers.size > 0) {
      const record = recordOf(pending);
      for (const follower of this.#followers.keys()) follower(record);
    }
    if (this.#queue.length >= this.#options.queueLimit) {
      this.#dropped++;
      this.#options.metrics?.requestRecords.inc({ outcome: 'dropped' });
      return;
    }
    this.#queue.push(pending);
    if (this.#queue.length >= this.#options.batchSize && !this.#writing && !this.#soon) {
      // After the current callback: the answer that made this record is not held up by the write.
      this.#soon = true;
      setImmediate(() => {
        this.#soon = false;
        void this.#write(this.#options.batchSize);
      });
    }
  }

  /**
   * Calls `listener` with every record this node makes from now on, and `ended` if
   * {@link endFollowing} ends it first; returns the unsubscribe.
   */
  follow(listener: (record: RequestRecord) => void, ended: () => void = () => {}): () => void {
    this.#followers.set(listener, ended);
    return () => this.#followers.delete(listener);
  }

  /** Ends every live follower (shutdown: a stream held open would hold the drain to its timeout). */
  endFollowing(): void {
    const ended = [...this.#followers.values()];
    this.#followers.clear();
    for (const end of ended) end();
  }

  /** Writes everything queued, in batches; resolves once the queue is empty (or a write failed). */
  async flush(): Promise<void> {
    await this.#write(1);
  }

  /**
   * Writes what is queued, then goes on while at least `least` wait. The timer and a full batch
   * leave what came in during their writes to the next of either: a store that answers later (a
   * round trip, another thread) would otherwise be handed a few records at a time, back to back,
   * and pay its cost per write for each few.
   */
  async #write(least: number): Promise<void> {
    while (this.#writing) await this.#writing;
    let first = true;
    while (this.#queue.length >= (first ? 1 : least)) {
      first = false;
      // A backlog goes in bigger writes: one round trip carries more, so the store catches up.
      const batch = this.#queue.splice(0, Math.max(this.#options.batchSize, MAX_BATCH));
      this.#writing = this.#append(batch);
      try {
        await this.#writing;
      } finally {
        this.#writing = undefined;
      }
    }
  }

  async #append(batch: PendingRequest[]): Promise<void> {
    try {
      await this.#options.log.append(batch, this.#options.max);
      this.#written += batch.length;
      this.#options.metrics?.requestRecords.inc({ outcome: 'written' }, batch.length);
    } catch (error) {
      this.#dropped += batch.length;
      this.#options.metrics?.requestRecords.inc({ outcome: 'dropped' }, batch.length);
      this.#options.onError?.(error);
    }
  }

  /** Deletes what is older than the retention and beyond the count; resolves with how many went. */
  async prune(): Promise<number> {
    try {
      return await this.#options.log.prune(
        this.#options.clock() - this.#options.retentionMs,
        this.#options.max,
      );
    } catch (error) {
      this.#options.onError?.(error);
      throw error;
    }
  }

  /** Records waiting to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Records lost because the store could not keep up or failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records written. */
  get written(): number {
    return this.#written;
  }
}
