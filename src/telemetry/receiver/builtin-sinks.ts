import type { RecordSink } from '../records.ts';
import type { SinkFactory } from './sink-registry.ts';

/**
 * `store`: records are in the vehicle state already (every record is); a write resolves once the
 * state that holds it is in the store, so reliable ack to `store` means "persisted".
 */
const storeSink: SinkFactory = (_settings, { states }): RecordSink => ({
  name: 'store',
  write: () => states.flushed(),
  close: async () => {},
});

/** `logger`: each record as one log line, as Tesla's `logger` dispatcher does. */
const loggerSink: SinkFactory = (_settings, { logger }): RecordSink => {
  const log = logger.child({ sink: 'logger' });
  return {
    name: 'logger',
    write: async (record) => {
      log.info({ record }, 'telemetry record');
    },
    close: async () => {},
  };
};

/** The sinks the receiver brings itself; broker sinks are added beside them. */
export const BUILTIN_SINKS: Readonly<Record<string, SinkFactory>> = { store: storeSink, logger: loggerSink };
