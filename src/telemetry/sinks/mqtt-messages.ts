import type { TelemetryRecord, VehicleAlert } from '../records.ts';
import { topicToken } from './record-metadata.ts';

/** One MQTT publish a record becomes. */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** Characters that cannot stand inside one topic level: the separator and the wildcards (and NUL). */
const UNSAFE_IN_LEVEL = /[/+#]/g;

const level = (name: string) => topicToken(name.replaceAll('\0', '_'), UNSAFE_IN_LEVEL);
const isoTime = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The messages of a record in Tesla's MQTT layout, payloads JSON:
 * `<base>/<VIN>/v/<Field>` `{"value":…}` one per field; `<base>/<VIN>/alerts/<name>/current`
 * (retained: the newest started occurrence) and `…/history` (every occurrence in the record);
 * `<base>/<VIN>/errors/<name>`; `<base>/<VIN>/connectivity`. `retained` applies to all but
 * `current`, which is always retained so a new subscriber sees the alert's state at once.
 */
export function mqttMessages(record: TelemetryRecord, topicBase: string, retained: boolean): MqttMessage[] {
  const root = `${topicBase}/${level(record.vin)}`;
  const message = (topic: string, body: unknown, retain = retained): MqttMessage => ({
    topic: `${root}/${topic}`,
    payload: JSON.stringify(body),
    retain,
  });
  switch (record.type) {
    case 'V':
      return Object.entries(record.fields).map(([field, value]) => message(`v/${level(field)}`, { value }));
    case 'alerts':
      return alertMessages(record.alerts).flatMap(({ name, current, history }) => [
        ...(current === undefined
          ? []
          : [message(`alerts/${level(name)}/current`, alertBody(current), true)]),
        message(`alerts/${level(name)}/history`, history.map(alertBody)),
      ]);
    case 'errors':
      return record.errors.map((error) =>
        message(`errors/${level(error.name)}`, {
          Name: error.name,
          Body: error.body,
          Tags: error.tags,
          CreatedAt: isoTime(error.createdAt),
        }),
      );
    case 'connectivity':
      return [
        message('connectivity', {
          ConnectionId: record.connectionId,
          Status: record.status,
          CreatedAt: isoTime(record.createdAt),
          NetworkInterface: record.networkInterface,
        }),
      ];
  }
}

/** An alert's occurrences grouped by name, with the newest that has a start time. */
function alertMessages(alerts: readonly VehicleAlert[]) {
  const byName = new Map<
    string,
    { name: string; current: VehicleAlert | undefined; history: VehicleAlert[] }
  >();
  for (const alert of alerts) {
    const entry = byName.get(alert.name) ?? { name: alert.name, current: undefined, history: [] };
    entry.history.push(alert);
    // An occurrence without a start time cannot be the current one.
    if (alert.startedAt !== undefined && (entry.current?.startedAt ?? -Infinity) < alert.startedAt) {
      entry.current = alert;
    }
    byName.set(alert.name, entry);
  }
  return [...byName.values()];
}

function alertBody(alert: VehicleAlert) {
  return {
    Name: alert.name,
    StartedAt: isoTime(alert.startedAt),
    EndedAt: isoTime(alert.endedAt),
    Audiences: alert.audiences,
  };
}
