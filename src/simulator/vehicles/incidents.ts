import type { VehicleAlert, VehicleError } from '../../telemetry/records.ts';
import { pick, type Random } from './seeded-random.ts';

/**
 * Alerts and errors now and then, from a seeded random source: once a minute a vehicle may raise
 * an alert (which ends a few minutes later) or report an error. The same seed and VIN give the
 * same incidents at the same times.
 */

/** How often incidents happen, per vehicle. */
export interface IncidentRates {
  /** Alerts started per hour on average; 0 for none. */
  readonly alertsPerHour: number;
  /** Errors reported per hour on average; 0 for none. */
  readonly errorsPerHour: number;
}

/** What one minute brought: alerts that started or ended, errors reported. */
export interface Incidents {
  readonly alerts: VehicleAlert[];
  readonly errors: VehicleError[];
}

/** Alerts like the ones vehicles raise, with the audiences that see them. */
const ALERTS: readonly { name: string; audiences: readonly string[] }[] = [
  { name: 'BMS_w070_socLowCharge', audiences: ['Customer'] },
  { name: 'CHG_w043_chargePortFaultLatch', audiences: ['Customer', 'Service'] },
  { name: 'VCFRONT_a192_lowVoltageBattery', audiences: ['Customer', 'Service'] },
  { name: 'UMC_w009_wallPlugHot', audiences: ['Customer'] },
  { name: 'DI_w134_motorOverheat', audiences: ['Service', 'ServiceFix'] },
  { name: 'TPMS_w017_tireLowPressure', audiences: ['Customer'] },
];

const ERRORS: readonly { name: string; body: string; tags: Record<string, string> }[] = [
  { name: 'cell_signal_lost', body: 'modem lost the LTE network', tags: { interface: 'lte' } },
  { name: 'gps_fix_lost', body: 'no GPS fix for 30 s', tags: { satellites: '2' } },
  { name: 'app_crash', body: 'media player restarted', tags: { process: 'qtcar-media' } },
];

const MINUTE_MS = 60_000;

/** One vehicle's incidents; call {@link minute} once per simulated minute. */
export class IncidentModel {
  readonly #random: Random;
  readonly #rates: IncidentRates;
  readonly #audiences: ReadonlySet<string>;
  readonly #active = new Map<string, { startedAt: number; endsAt: number; audiences: readonly string[] }>();

  /** `alertTypes` is the configuration's `alert_types` (`service`, `customer`). */
  constructor(random: Random, rates: IncidentRates, alertTypes: readonly string[]) {
    this.#random = random;
    this.#rates = rates;
    const audiences = new Set<string>();
    if (alertTypes.includes('customer')) audiences.add('Customer');
    if (alertTypes.includes('service')) {
      audiences.add('Service');
      audiences.add('ServiceFix');
    }
    this.#audiences = audiences;
  }

  /** The minute ending at `now`: ends alerts whose time came, maybe starts one, maybe an error. */
  minute(now: number): Incidents {
    const alerts: VehicleAlert[] = [];
    for (const [name, alert] of this.#active) {
      if (alert.endsAt > now) continue;
      this.#active.delete(name);
      alerts.push({ name, audiences: alert.audiences, startedAt: alert.startedAt, endedAt: alert.endsAt });
    }
    if (this.#random() < this.#rates.alertsPerHour / 60) {
      const chosen = pick(this.#random, ALERTS);
      const audiences = chosen.audiences.filter((a) => this.#audiences.has(a));
      const minutes = 1 + Math.floor(this.#random() * 10);
      if (audiences.length > 0 && !this.#active.has(chosen.name)) {
        this.#active.set(chosen.name, { startedAt: now, endsAt: now + minutes * MINUTE_MS, audiences });
        alerts.push({ name: chosen.name, audiences, startedAt: now, endedAt: undefined });
      }
    }
    const errors: VehicleError[] = [];
    if (this.#random() < this.#rates.errorsPerHour / 60) {
      const chosen = pick(this.#random, ERRORS);
      errors.push({ name: chosen.name, createdAt: now, tags: chosen.tags, body: chosen.body });
    }
    return { alerts, errors };
  }

  /** The alerts active now. */
  active(): VehicleAlert[] {
    return [...this.#active].map(([name, a]) => ({
      name,
      audiences: a.audiences,
      startedAt: a.startedAt,
      endedAt: undefined,
    }));
  }
}
