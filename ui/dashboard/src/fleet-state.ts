import type {
  AlertMessage,
  DashboardMessage,
  ErrorMessage,
} from '../../../src/telemetry/dashboard/dashboard-messages.ts';
import type { FieldValue } from '../../../src/telemetry/records.ts';
import type { ConnectionStatus } from '../../../src/telemetry/state/vehicle-state.ts';

/** Points kept per chart and trace: about ten minutes at one record a second. */
export const HISTORY_POINTS = 600;
/** Errors kept in the recent-errors list. */
export const RECENT_ERRORS = 50;

/** A time series as uPlot takes it: times in seconds, values (null where unknown). */
export type Series = [number[], (number | null)[]];

/** One vehicle as the page shows it. */
export interface VehicleView {
  readonly vin: string;
  status: ConnectionStatus;
  readonly fields: Record<string, FieldValue>;
  /** The vehicle's time of each field's value: a resent older value does not replace a newer one. */
  readonly fieldTimes: Record<string, number>;
  /** The vehicle's time of the latest data shown. */
  updatedAt: number | null;
  readonly speed: Series;
  readonly soc: Series;
  readonly trace: { latitude: number; longitude: number }[];
  /** Active alerts by name. */
  readonly alerts: Map<string, AlertMessage>;
}

/** An error with the vehicle it came from. */
export interface VehicleErrorView extends ErrorMessage {
  readonly vin: string;
  /** Counts errors as they arrive: a stable key for the list. */
  readonly seq: number;
}

/**
 * Everything the page shows, folded from the socket's messages. Mutated in place (a busy fleet
 * sends many records a second); `version` counts the changes so the view knows to redraw.
 */
export class FleetState {
  readonly vehicles = new Map<string, VehicleView>();
  /** Most recent first. */
  readonly errors: VehicleErrorView[] = [];
  version = 0;
  #errorsSeen = 0;

  /** Folds one message in. */
  apply(message: DashboardMessage): void {
    this.version++;
    switch (message.type) {
      case 'snapshot':
        this.vehicles.clear();
        this.errors.length = 0;
        for (const v of message.vehicles) {
          const view = this.#vehicle(v.vin);
          view.status = v.status;
          Object.assign(view.fields, v.fields);
          Object.assign(view.fieldTimes, v.fieldTimes);
          const times = Object.values(v.fieldTimes);
          view.updatedAt = times.length > 0 ? Math.max(...times) : null;
          this.#series(view, v.fields, view.updatedAt ?? v.lastSeenAt);
          for (const alert of v.activeAlerts) view.alerts.set(alert.name, alert);
          this.#addErrors(v.vin, v.recentErrors);
        }
        this.errors.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
        return;
      case 'V': {
        const view = this.#vehicle(message.vin);
        view.updatedAt = Math.max(view.updatedAt ?? message.createdAt, message.createdAt);
        for (const [name, value] of Object.entries(message.fields)) {
          if ((view.fieldTimes[name] ?? Number.NEGATIVE_INFINITY) > message.createdAt) continue;
          view.fields[name] = value;
          view.fieldTimes[name] = message.createdAt;
        }
        this.#series(view, message.fields, message.createdAt);
        return;
      }
      case 'connectivity':
        this.#vehicle(message.vin).status = message.status;
        return;
      case 'alerts': {
        const view = this.#vehicle(message.vin);
        for (const alert of message.alerts) {
          if (alert.endedAt === null) view.alerts.set(alert.name, alert);
          else view.alerts.delete(alert.name);
        }
        return;
      }
      case 'errors':
        this.#addErrors(message.vin, message.errors);
        return;
    }
  }

  #vehicle(vin: string): VehicleView {
    let view = this.vehicles.get(vin);
    if (!view) {
      view = {
        vin,
        status: 'UNKNOWN',
        fields: {},
        fieldTimes: {},
        updatedAt: null,
        speed: [[], []],
        soc: [[], []],
        trace: [],
        alerts: new Map(),
      };
      this.vehicles.set(vin, view);
    }
    return view;
  }

  /** Newest first, as many as the list keeps. */
  #addErrors(vin: string, errors: readonly ErrorMessage[]): void {
    this.errors.unshift(...errors.map((e) => ({ ...e, vin, seq: ++this.#errorsSeen })).reverse());
    this.errors.length = Math.min(this.errors.length, RECENT_ERRORS);
  }

  /** Adds the record's speed, charge and position to the vehicle's charts and trace. */
  #series(view: VehicleView, fields: Readonly<Record<string, FieldValue>>, at: number): void {
    const speed = numberOf(fields['VehicleSpeed']);
    if (speed !== undefined) push(view.speed, at, speed);
    const soc = stateOfCharge(fields);
    if (soc !== undefined) push(view.soc, at, soc);
    const location = fields['Location'];
    if (isLocation(location)) {
      view.trace.push({ latitude: location.latitude, longitude: location.longitude });
      if (view.trace.length > HISTORY_POINTS) view.trace.shift();
    }
  }
}

/** State of charge in percent: `Soc`, else `BatteryLevel`, when either is in the fields. */
export function stateOfCharge(fields: Readonly<Record<string, FieldValue>>): number | null | undefined {
  if ('Soc' in fields) return numberOf(fields['Soc']);
  if ('BatteryLevel' in fields) return numberOf(fields['BatteryLevel']);
  return undefined;
}

/**
 * A number, `null` for an invalid value, undefined when absent or not a number. A numeric string
 * counts: firmware from before August 2025 sends `"66.92"` unless the configuration set `prefer_typed`.
 */
function numberOf(value: FieldValue | undefined): number | null | undefined {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function isLocation(value: FieldValue | undefined): value is { latitude: number; longitude: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value['latitude'] === 'number' &&
    typeof value['longitude'] === 'number'
  );
}

/** Adds a point in time order: resent records can be older than the last one shown. */
function push(series: Series, at: number, value: number | null): void {
  const [times, values] = series;
  const t = at / 1000;
  let i = times.length;
  while (i > 0 && times[i - 1]! > t) i--;
  times.splice(i, 0, t);
  values.splice(i, 0, value);
  if (times.length > HISTORY_POINTS) {
    times.shift();
    values.shift();
  }
}
