import type {
  AlertMessage,
  DashboardMessage,
  ErrorMessage,
} from '../../../src/telemetry/dashboard/dashboard-messages.ts';
import type { FieldValue } from '../../../src/telemetry/records.ts';

/** Points kept per chart and trace: about ten minutes at one record a second. */
export const HISTORY_POINTS = 600;
/** Errors kept in the recent-errors list. */
export const RECENT_ERRORS = 50;

/** A time series as uPlot takes it: times in seconds, values (null where unknown). */
export type Series = [number[], (number | null)[]];

/** One vehicle as the page shows it. */
export interface VehicleView {
  readonly vin: string;
  status: 'CONNECTED' | 'DISCONNECTED';
  fields: Record<string, FieldValue>;
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
        for (const v of message.vehicles) {
          const view = this.#vehicle(v.vin);
          view.status = v.status;
          view.updatedAt = v.updatedAt;
          for (const alert of v.activeAlerts) view.alerts.set(alert.name, alert);
          this.#fields(view, v.fields, v.updatedAt ?? Date.now());
        }
        return;
      case 'V': {
        const view = this.#vehicle(message.vin);
        view.updatedAt = message.createdAt;
        this.#fields(view, message.fields, message.createdAt);
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
        this.errors.unshift(
          ...message.errors.map((e) => ({ ...e, vin: message.vin, seq: ++this.#errorsSeen })),
        );
        this.errors.length = Math.min(this.errors.length, RECENT_ERRORS);
        return;
    }
  }

  #vehicle(vin: string): VehicleView {
    let view = this.vehicles.get(vin);
    if (!view) {
      view = {
        vin,
        status: 'DISCONNECTED',
        fields: {},
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

  #fields(view: VehicleView, fields: Readonly<Record<string, FieldValue>>, at: number): void {
    Object.assign(view.fields, fields);
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

/** A number, `null` for an invalid value, undefined when absent or not a number. */
function numberOf(value: FieldValue | undefined): number | null | undefined {
  if (value === null) return null;
  return typeof value === 'number' ? value : undefined;
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
