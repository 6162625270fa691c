import type { RecordSink, TelemetryRecord } from '../records.ts';

/**
 * A sink whose module (and the broker client it brings) is imported when the sink is made, not
 * when the gateway starts: a gateway with no NATS or MQTT sink never loads those clients.
 * Writes wait for the import; closing before it finished closes the sink as soon as it is made.
 */
export function lazySink(name: string, make: () => Promise<RecordSink>): RecordSink {
  const made = make();
  // A failed import surfaces at the first write; until then it must not be an unhandled rejection.
  made.catch(() => {});
  return {
    name,
    write: async (record: TelemetryRecord) => (await made).write(record),
    close: async () => {
      const sink = await made.catch(() => undefined);
      await sink?.close();
    },
  };
}
