import type { Logger } from '../../core/logger.ts';
import type { RecordSink, TelemetryRecord } from '../records.ts';
import type { SinkRoutes } from './sink-registry.ts';

/** What dispatching one record promises: when the ack may go, and when every write is over. */
export interface Dispatched {
  /** True once the record type's reliable sink confirmed (plain `true` without one); false if it failed. */
  readonly confirmed: Promise<boolean> | true;
  /** Every sink's write settled. */
  readonly settled: Promise<unknown>;
}

/** Tells of a failing sink once per streak, not once per message. */
export class SinkFailures {
  readonly #logger: Logger;
  readonly #failing = new Set<string>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  failed(sink: RecordSink, error: unknown): void {
    if (this.#failing.has(sink.name)) return;
    this.#failing.add(sink.name);
    this.#logger.warn({ err: error, sink: sink.name }, 'a telemetry sink failed to take a record');
  }

  succeeded(sink: RecordSink): void {
    if (this.#failing.delete(sink.name))
      this.#logger.info({ sink: sink.name }, 'the telemetry sink takes records again');
  }
}

/** Hands a record to every sink of its type; never throws, whatever a sink does. */
export function dispatchRecord(
  record: TelemetryRecord,
  routes: SinkRoutes,
  failures: SinkFailures,
): Dispatched {
  const reliable = routes.reliable[record.type];
  let confirmed: Promise<boolean> | true = true;
  const writes: Promise<unknown>[] = [];
  for (const sink of routes.byType[record.type]) {
    const write = writeTo(sink, record).then(
      () => {
        failures.succeeded(sink);
        return true;
      },
      (error: unknown) => {
        failures.failed(sink, error);
        return false;
      },
    );
    writes.push(write);
    if (sink === reliable) confirmed = write;
  }
  return { confirmed, settled: writes.length === 1 ? writes[0]! : Promise.all(writes) };
}

/** A sink's write as a promise, even when the sink throws instead of rejecting. */
function writeTo(sink: RecordSink, record: TelemetryRecord): Promise<void> {
  try {
    return sink.write(record);
  } catch (error) {
    return Promise.reject(error);
  }
}
