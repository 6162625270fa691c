import type { Signal } from './vehicle-signals.ts';

/**
 * When a vehicle sends each configured field, as Tesla describes it: every `interval_seconds` the
 * vehicle looks at the field and sends it only if it changed since it was last sent (for numbers
 * and locations, by more than `minimum_delta`; a location's delta is in metres), and anyway once
 * `resend_interval_seconds` passed since then. A snapshot (a new or re-sent configuration) sends
 * every field at the next look. Pure: time and values are passed in.
 */

/** One field's plan, read from the configuration. */
export interface FieldPlan {
  readonly name: string;
  readonly intervalMs: number;
  readonly minimumDelta: number | undefined;
  readonly resendMs: number | undefined;
}

interface FieldState {
  readonly plan: FieldPlan;
  last: Signal | undefined;
  lastSentAt: number;
  nextAt: number;
}

/** The fields a configuration names, with their timing; entries that are not valid are skipped. */
export function fieldPlans(fields: unknown): FieldPlan[] {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return [];
  const plans: FieldPlan[] = [];
  for (const [name, raw] of Object.entries(fields as Record<string, unknown>)) {
    const spec = (typeof raw === 'number' ? { interval_seconds: raw } : raw) as Record<string, unknown>;
    const interval = spec?.['interval_seconds'];
    if (typeof interval !== 'number' || !(interval > 0)) continue;
    const delta = spec['minimum_delta'];
    const resend = spec['resend_interval_seconds'];
    plans.push({
      name,
      intervalMs: Math.round(interval * 1000),
      minimumDelta: typeof delta === 'number' && delta > 0 ? delta : undefined,
      resendMs: typeof resend === 'number' && resend > 0 ? Math.round(resend * 1000) : undefined,
    });
  }
  return plans;
}

const EARTH_RADIUS_M = 6_371_000;

function metresBetween(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether `next` differs from `last` enough to be sent. */
export function changedEnough(last: Signal, next: Signal, minimumDelta: number | undefined): boolean {
  if (last.kind !== next.kind) return true;
  if (next.kind === 'invalid') return false;
  if (next.kind === 'location' && last.kind === 'location') {
    const moved = metresBetween(last.value, next.value);
    return minimumDelta === undefined ? moved > 0 : moved >= minimumDelta;
  }
  if (typeof next.value === 'number' && 'value' in last && typeof last.value === 'number') {
    const diff = Math.abs(next.value - last.value);
    return minimumDelta === undefined ? diff > 0 : diff >= minimumDelta;
  }
  return 'value' in last && last.value !== next.value;
}

/** The per-field timing of one stream. */
export class FieldSchedule {
  readonly #fields: FieldState[];

  constructor(plans: readonly FieldPlan[], now: number) {
    this.#fields = plans.map((plan) => ({ plan, last: undefined, lastSentAt: now, nextAt: now }));
  }

  /** The field names, in configuration order. */
  get names(): string[] {
    return this.#fields.map((f) => f.plan.name);
  }

  /** Makes every field go out at `now`, changed or not. */
  snapshot(now: number): void {
    for (const field of this.#fields) {
      field.last = undefined;
      field.nextAt = now;
    }
  }

  /** When a field is next looked at; Infinity with no fields. */
  nextAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const field of this.#fields) if (field.nextAt < next) next = field.nextAt;
    return next;
  }

  /**
   * Looks at every field due at `now` and returns those to send, with their values; `sample` is
   * called at most once, and only when a field is due.
   */
  due(now: number, sample: () => ReadonlyMap<string, Signal>): Map<string, Signal> {
    const out = new Map<string, Signal>();
    let signals: ReadonlyMap<string, Signal> | undefined;
    for (const field of this.#fields) {
      if (field.nextAt > now) continue;
      signals ??= sample();
      const value = signals.get(field.plan.name) ?? { kind: 'invalid' as const };
      const { last, plan } = field;
      const resendDue = plan.resendMs !== undefined && now - field.lastSentAt >= plan.resendMs;
      if (last === undefined || resendDue || changedEnough(last, value, plan.minimumDelta)) {
        out.set(plan.name, value);
        field.last = value;
        field.lastSentAt = now;
      }
      // Intervals keep their phase, so a late look does not drift the next ones.
      field.nextAt += (Math.floor((now - field.nextAt) / plan.intervalMs) + 1) * plan.intervalMs;
    }
    return out;
  }
}
