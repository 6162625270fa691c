import type { Clock } from '../../core/clock.ts';

/**
 * One timeline for every simulated vehicle: tasks keyed by the clock's milliseconds in a binary
 * heap, with at most one real timer armed for the earliest. A thousand vehicles cost one timer,
 * not thousands. With a manual clock nothing runs by itself: the owner calls {@link runDue} after
 * moving the clock, so tests decide when time passes.
 */

/** A scheduled task; cancel it to drop it before it runs. */
export interface ScheduledTask {
  cancel(): void;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** How a {@link Scheduler} is driven. */
export interface SchedulerOptions {
  readonly clock: Clock;
  /** True: a real timer runs due tasks (the system clock); false: only {@link Scheduler.runDue}. */
  readonly realTimers: boolean;
  /** Called with whatever a task throws, so one vehicle's fault cannot stop the others. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A heap of tasks by due time, run in time order (ties in the order they were added). */
export class Scheduler {
  readonly #clock: Clock;
  readonly #realTimers: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #heap: Entry[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#clock = options.clock;
    this.#realTimers = options.realTimers;
    this.#onError = options.onError ?? (() => {});
  }

  /** How many tasks wait, cancelled ones not yet dropped included. */
  get size(): number {
    return this.#heap.length;
  }

  /** Runs `run` once the clock reaches `at` (ms). */
  at(at: number, run: () => void): ScheduledTask {
    const entry: Entry = { at, seq: this.#seq++, run, cancelled: false };
    if (!this.#stopped) {
      this.#push(entry);
      this.#arm();
    }
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Runs `run` `delayMs` from now. */
  after(delayMs: number, run: () => void): ScheduledTask {
    return this.at(this.#clock() + Math.max(0, delayMs), run);
  }

  /** Runs every task due at the clock's time now, including those they schedule for now. */
  runDue(): void {
    const now = this.#clock();
    for (;;) {
      const top = this.#heap[0];
      if (!top || top.at > now) break;
      this.#pop();
      if (top.cancelled) continue;
      try {
        top.run();
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#arm();
  }

  /** Drops every task and the timer; later tasks are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#heap.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (!this.#realTimers || this.#stopped) return;
    while (this.#heap[0]?.cancelled) this.#pop();
    const next = this.#heap[0]?.at ?? Number.POSITIVE_INFINITY;
    if (next === this.#timerAt && this.#timer) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.runDue();
      },
      Math.max(0, next - this.#clock()),
    );
    this.#timer.unref();
  }

  #before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}
