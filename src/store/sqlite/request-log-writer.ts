import type { SQLInputValue } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { StoreError } from '../errors.ts';
import { VALUES_PER_ROW } from './request-rows.ts';

/** What the writer thread is sent: a batch of rows to store, or the word to finish and stop. */
export type WriterRequest =
  | { readonly kind: 'append'; readonly batch: number; readonly values: SQLInputValue[] }
  | { readonly kind: 'close' };

/** What the writer thread says: that it is ready, and for each batch that it was committed or why not. */
export type WriterReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly batch: number; readonly error?: unknown };

/**
 * The most rows a batch sent to an idle thread carries: twice the recorder's steady batch (500).
 * Only a backlog makes bigger ones, and those are written on the calling thread (see `take`).
 */
export const THREAD_BATCH_MAX = 1000;

// The thread's script sits beside this file: request-log-worker.ts when run from src/ (under tsx,
// which the thread inherits from the process's flags), request-log-worker.js once built to dist/.
const WORKER_SCRIPT = new URL(
  `./request-log-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/** One writer thread: whether it is ready, and the batches it has not answered yet. */
interface Thread {
  readonly worker: Worker;
  ready: boolean;
  readonly started: Promise<void>;
  readonly waiting: Map<number, { resolve: () => void; reject: (error: unknown) => void }>;
  readonly exited: Promise<void>;
}

/**
 * Writes the request log's batches on a thread of its own, with its own connection to the database
 * file, so the inserts (a few µs a request) leave the thread that serves requests, which only copies
 * each batch over as one flat array. Readers on other connections see a batch once it is committed
 * (WAL). The thread starts with the first batch (which is written here meanwhile) and holds the
 * process open only while a batch is on its way. When it dies, the batches it held are rejected
 * (whether they were committed is unknown: a retry could store them twice), and the next batch
 * starts a new one.
 */
export class RequestLogWriter {
  readonly #file: string;
  #thread: Thread | undefined;
  #batches = 0;
  #closed = false;
  /** Why a thread could not start: then none is started again, and every batch is written here. */
  #unstartable: unknown;

  /** A writer for the database at `file` (already migrated); no thread runs until the first batch. */
  constructor(file: string) {
    this.#file = file;
  }

  /**
   * Sends rows laid out as `rowValuesOf` makes them to the thread, and resolves once they are
   * committed; or answers undefined, and the caller writes them itself, while the thread starts (or
   * if it cannot), and for a backlog's batch of more than {@link THREAD_BATCH_MAX} rows when the
   * thread is idle: a burst beyond the thread's pace then slows the caller, as writing on the
   * serving thread always did, rather than filling the recorder's queue until it drops records.
   */
  take(values: SQLInputValue[]): Promise<void> | undefined {
    if (this.#closed)
      return Promise.reject(
        new StoreError('STORE_UNAVAILABLE', 'the request log is closed; open the store again to record'),
      );
    if (this.#unstartable !== undefined) return undefined;
    const thread = this.#thread ?? this.#start();
    const idle = thread.waiting.size === 0;
    // With a batch on its way, this one follows it, so batches are committed in the order given.
    if (idle && (!thread.ready || values.length > THREAD_BATCH_MAX * VALUES_PER_ROW)) return undefined;
    const batch = this.#batches++;
    thread.worker.postMessage({ kind: 'append', batch, values } satisfies WriterRequest);
    if (idle) thread.worker.ref();
    return new Promise((resolve, reject) => thread.waiting.set(batch, { resolve, reject }));
  }

  /** Starts the thread if none runs; resolves when it is ready to take batches, rejects if it cannot start. */
  start(): Promise<void> {
    if (this.#unstartable !== undefined) return Promise.reject(this.#unstartable);
    const thread = this.#thread ?? this.#start();
    if (thread.ready) return thread.started;
    // Someone waits for it: the process stays up until it is ready.
    thread.worker.ref();
    return thread.started.finally(() => {
      if (thread.waiting.size === 0) thread.worker.unref();
    });
  }

  /** Writes every batch already sent, then stops the thread; later batches are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const thread = this.#thread;
    if (!thread) return;
    // The thread takes its messages in order: the batches before this word are written first.
    thread.worker.ref();
    thread.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    await thread.exited;
  }

  /** Whether a writer thread is running (for tests). */
  get running(): boolean {
    return this.#thread !== undefined;
  }

  /** Ends the running thread at once, as a crash would (for tests). */
  async kill(): Promise<void> {
    await this.#thread?.worker.terminate();
  }

  #start(): Thread {
    const worker = new Worker(WORKER_SCRIPT, { workerData: { file: this.#file } });
    let failure: unknown;
    let started: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const thread: Thread = {
      worker,
      ready: false,
      started: new Promise<void>((resolve, reject) => {
        started = { resolve, reject };
      }),
      waiting: new Map(),
      exited: new Promise<void>((resolve) =>
        worker.once('exit', (code) => {
          const error = this.#ended(thread, code, failure);
          if (!thread.ready) started?.reject(error);
          resolve();
        }),
      ),
    };
    // Nothing need wait for the start: batches are written here until the thread is ready.
    thread.started.catch(() => {});
    worker.on('message', (reply: WriterReply) => {
      if (reply.kind === 'ready') {
        thread.ready = true;
        started?.resolve();
        return;
      }
      const pending = thread.waiting.get(reply.batch);
      if (!pending) return;
      thread.waiting.delete(reply.batch);
      if (thread.waiting.size === 0) worker.unref();
      if ('error' in reply) pending.reject(reply.error);
      else pending.resolve();
    });
    worker.on('error', (error) => {
      failure = error;
    });
    // After the listeners: adding a 'message' listener holds the process open again.
    worker.unref();
    this.#thread = thread;
    return thread;
  }

  /** Forgets a thread that exited and rejects what it held; answers why it ended. */
  #ended(thread: Thread, code: number, failure: unknown): unknown {
    if (this.#thread === thread) this.#thread = undefined;
    const error =
      failure ??
      new StoreError(
        'STORE_UNAVAILABLE',
        `the request log's writer thread stopped (exit code ${code}) before it stored a batch; the next batch starts a new one`,
      );
    // A thread that never got ready would fail the same way again (its script or the file).
    if (!thread.ready && !this.#closed) this.#unstartable = error;
    for (const pending of thread.waiting.values()) pending.reject(error);
    thread.waiting.clear();
    return error;
  }
}
