import type { FieldValue } from '../../../src/telemetry/records.ts';

/** A field value as text: numbers as sent, `invalid` for null, locations as coordinates. */
export function formatValue(value: FieldValue | undefined): string {
  if (value === undefined) return '–';
  if (value === null) return 'invalid';
  if (typeof value === 'object') {
    if (typeof value['latitude'] === 'number' && typeof value['longitude'] === 'number')
      return `${value['latitude'].toFixed(5)}, ${value['longitude'].toFixed(5)}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** A time in ms as the browser's local time, or a dash. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : new Date(ms).toLocaleTimeString();
}
