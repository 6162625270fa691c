import type { TelemetryRecord } from '../records.ts';

/**
 * The per-record metadata Tesla's dispatchers attach (vin, receivedat, timestamp, txid, txtype,
 * version), as name/value strings: Redis stream fields and NATS headers carry them, so a consumer
 * can route without parsing the record.
 */
export function recordMetadata(record: TelemetryRecord): ReadonlyArray<readonly [string, string]> {
  return [
    ['vin', record.vin],
    ['receivedat', String(record.receivedAt)],
    ['timestamp', String(record.createdAt)],
    ['txid', record.txid],
    ['txtype', record.type],
    ['version', record.deviceClientVersion ?? ''],
  ];
}

/** The record itself as JSON, the decoded form Tesla's `transmit_decoded_records` sends. */
export function recordJson(record: TelemetryRecord): string {
  return JSON.stringify(record);
}

/**
 * A name made safe as one level of a topic or subject: separators and wildcards become `_`, so a
 * vehicle-chosen alert name cannot add levels or make a publish the broker refuses.
 */
export function topicToken(name: string, unsafe: RegExp): string {
  const cleaned = name.replace(unsafe, '_');
  return cleaned === '' ? '_' : cleaned;
}
