import { fieldNumber } from '../../telemetry/wire/index.ts';
import { type FieldPlan, fieldPlans } from './field-schedule.ts';

/**
 * What a vehicle takes from a telemetry configuration's claims: where to connect, what to trust,
 * what to send. Claims come from a signed token the simulator already verified, but their
 * content is whatever the application wrote, so each one is checked here.
 */

/** A configuration as a vehicle uses it. */
export interface StreamTarget {
  readonly hostname: string;
  readonly port: number;
  /** PEM: the only CAs the vehicle trusts for this server. */
  readonly ca: string;
  readonly fields: readonly FieldPlan[];
  readonly alertTypes: readonly string[];
  /** The configuration's `prefer_typed`: only firmware from before August 2025 heeds it. */
  readonly preferTyped: boolean;
  /** ms since the epoch after which the configuration lapsed; undefined without `exp`. */
  readonly expiresAt: number | undefined;
}

/** The target, or why the vehicle cannot use the configuration (Tesla-style error text). */
export function streamTargetOf(claims: Record<string, unknown>): StreamTarget | { error: string } {
  const hostname = claims['hostname'];
  const port = claims['port'] ?? 443;
  const ca = claims['ca'];
  if (typeof hostname !== 'string' || hostname === '') return { error: 'config: hostname is missing' };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return { error: `config: port ${JSON.stringify(port)} is not a port number` };
  }
  if (typeof ca !== 'string' || !ca.includes('BEGIN CERTIFICATE')) {
    return { error: 'config: ca holds no PEM certificate' };
  }
  // A vehicle ignores names its firmware does not know, as it would a field from a newer release.
  const fields = fieldPlans(claims['fields']).filter((plan) => fieldNumber(plan.name) !== undefined);
  if (fields.length === 0) return { error: 'config: no known field has a valid interval_seconds' };
  const alertTypes = Array.isArray(claims['alert_types'])
    ? claims['alert_types'].filter((t): t is string => typeof t === 'string')
    : [];
  const exp = claims['exp'];
  return {
    hostname,
    port,
    ca,
    fields,
    alertTypes,
    preferTyped: claims['prefer_typed'] === true,
    expiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
  };
}

/** Whether two targets need the same connection (host, port and trusted CAs). */
export function sameConnection(a: StreamTarget, b: StreamTarget): boolean {
  return a.hostname === b.hostname && a.port === b.port && a.ca === b.ca;
}
