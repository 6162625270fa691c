import { z } from 'zod';
import { GatehouseError } from '../core/errors.ts';
import { readCaBundle } from './ca-bundle.ts';
import { unknownFieldNames } from './telemetry-fields.ts';

/** How often (and on what change) one field is streamed. */
export interface TelemetryFieldConfig {
  readonly interval_seconds: number;
  readonly minimum_delta?: number | undefined;
  readonly resend_interval_seconds?: number | undefined;
}

/** Tesla's telemetry configuration: the claims of the signed token. */
export interface TelemetryConfig {
  readonly hostname: string;
  readonly port: number;
  /** The PEM chain of the telemetry server's certificate. */
  readonly ca: string;
  readonly fields: Readonly<Record<string, TelemetryFieldConfig>>;
  readonly alert_types?: readonly ('service' | 'customer')[] | undefined;
  /** Unix time (seconds) after which vehicles drop the configuration. */
  readonly exp: number;
  readonly prefer_typed?: boolean | undefined;
  readonly [more: string]: unknown;
}

/** A valid configuration and what was allowed but looked doubtful. */
export interface CheckedTelemetryConfig {
  readonly config: TelemetryConfig;
  readonly warnings: readonly string[];
}

/**
 * Without `--exp` a configuration lasts a year: when it lapses vehicles stop streaming without a
 * word, which is the worse failure, while a configuration no longer wanted can be deleted at once.
 */
export const DEFAULT_EXP_SECONDS = 365 * 24 * 3600;

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const KNOWN_KEYS = new Set(['hostname', 'port', 'ca', 'fields', 'alert_types', 'exp', 'prefer_typed']);

const positiveSeconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .int({ error: `${what} must be a whole number of seconds` })
    .min(1, { error: `${what} must be at least 1 second` });

const fieldSchema = z.strictObject(
  {
    interval_seconds: positiveSeconds('interval_seconds'),
    minimum_delta: z.number({ error: 'minimum_delta must be a number' }).min(0).optional(),
    resend_interval_seconds: positiveSeconds('resend_interval_seconds').optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown setting ${issue.keys.join(', ')}: a field takes interval_seconds, minimum_delta and resend_interval_seconds`
        : 'a field is a number of seconds or {"interval_seconds": N, "minimum_delta": D}',
  },
);

function configSchema(nowSeconds: number) {
  return z.looseObject({
    hostname: z
      .string({ error: "hostname is required: the telemetry server's host name, e.g. telemetry.example.com" })
      .refine((h) => HOST_NAME.test(h), {
        error: (issue) =>
          `'${String(issue.input)}' is not a host name: give it alone, e.g. telemetry.example.com (no https://, path or port; the port goes in port)`,
      }),
    port: z
      .number({ error: 'port must be a number (443 unless the server listens elsewhere)' })
      .int({ error: 'port must be a whole number' })
      .min(1, { error: 'port must be 1 to 65535' })
      .max(65_535, { error: 'port must be 1 to 65535' }),
    ca: z.string({ error: "ca is required: the PEM chain of the telemetry server's certificate" }),
    fields: z
      .record(z.string().min(1), fieldSchema, { error: 'fields must be an object of field names' })
      .refine((f) => Object.keys(f).length > 0, {
        error: 'fields is empty: name at least one field to stream',
      }),
    alert_types: z
      .array(z.enum(['service', 'customer'], { error: "alert types are 'service' and 'customer'" }))
      .optional(),
    exp: z
      .number({ error: 'exp must be a unix time in seconds' })
      .int({ error: 'exp must be a whole unix time in seconds' })
      .refine((exp) => exp < 1e11, { error: 'exp looks like milliseconds; give seconds since 1970' })
      .refine((exp) => exp > nowSeconds, {
        error: (issue) =>
          `exp ${String(issue.input)} (${new Date(Number(issue.input) * 1000).toISOString()}) is in the past: vehicles would drop the configuration at once; give a later time or a duration like 30d`,
      }),
    prefer_typed: z.boolean({ error: 'prefer_typed must be true or false' }).optional(),
  });
}

/** Checks a configuration object; refuses naming each wrong field, warns about unknown names. */
export function checkTelemetryConfig(raw: unknown, source: string, nowMs: number): CheckedTelemetryConfig {
  const result = configSchema(Math.floor(nowMs / 1000)).safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new GatehouseError(
      'FLEET_CONFIG_INVALID',
      `${source} is not a valid telemetry configuration:\n${lines.join('\n')}`,
    );
  }
  const config = result.data as TelemetryConfig;
  readCaBundle(config.ca, `${source}: ca`);
  const warnings: string[] = [];
  const unknownFields = unknownFieldNames(config.fields);
  if (unknownFields.length) {
    warnings.push(
      `fields ${unknownFields.join(', ')} are not field names this version knows; they are sent as written (check the spelling against Tesla's Field list)`,
    );
  }
  const extra = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (extra.length) warnings.push(`settings ${extra.join(', ')} are passed to Tesla as written`);
  return { config, warnings };
}

/**
 * Reads fields as JSON: `{"VehicleSpeed":10}` (seconds) or Tesla's `{"VehicleSpeed":{"interval_seconds":10}}`;
 * other values are left for {@link checkTelemetryConfig} to refuse.
 */
export function parseFields(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatehouseError(
      'FLEET_CONFIG_INVALID',
      `${source} is not JSON (${(error as Error).message}); write it like {"VehicleSpeed":10,"Soc":60}`,
      { field: 'fields', cause: error },
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatehouseError(
      'FLEET_CONFIG_INVALID',
      `${source} must be a JSON object like {"VehicleSpeed":10}`,
      {
        field: 'fields',
      },
    );
  }
  return Object.fromEntries(
    Object.entries(value).map(([name, setting]) => [
      name,
      typeof setting === 'number' ? { interval_seconds: setting } : setting,
    ]),
  );
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

/** `--exp`: a unix time in seconds, or a duration from now like `30d`, `12h`, `1y`. */
export function parseExp(text: string, nowMs: number): number {
  const value = text.trim();
  const duration = /^(\d+)\s*([smhdwy])$/i.exec(value);
  if (duration) {
    return Math.floor(nowMs / 1000) + Number(duration[1]) * (DURATION_UNITS[duration[2]!.toLowerCase()] ?? 0);
  }
  if (/^\d+$/.test(value)) {
    const number = Number(value);
    if (number < 1e9) {
      throw new GatehouseError(
        'FLEET_CONFIG_INVALID',
        `--exp ${value} is neither a unix time nor a duration: write a duration with its unit, e.g. ${value}d`,
        { field: 'exp' },
      );
    }
    return number;
  }
  throw new GatehouseError(
    'FLEET_CONFIG_INVALID',
    `--exp ${value}: give a unix time in seconds or a duration like 30d, 12h or 1y`,
    { field: 'exp' },
  );
}

/** A configuration given by flags; texts are already read (files, environment). */
export interface TelemetryConfigFlags {
  readonly hostname?: string | undefined;
  readonly port?: string | undefined;
  /** The PEM text and where it came from. */
  readonly ca?: { readonly pem: string; readonly source: string } | undefined;
  readonly fields?: { readonly text: string; readonly source: string } | undefined;
  readonly alertTypes?: string | undefined;
  readonly exp?: string | undefined;
  readonly preferTyped?: boolean | undefined;
}

/** Builds and checks a configuration from flags. */
export function telemetryConfigFromFlags(flags: TelemetryConfigFlags, nowMs: number): CheckedTelemetryConfig {
  const missing = [
    !flags.hostname && '--hostname',
    !flags.ca && '--ca FILE',
    !flags.fields && '--fields (or TELEMETRY_FIELDS)',
  ].filter(Boolean);
  if (missing.length) {
    throw new GatehouseError(
      'FLEET_USAGE',
      `give ${missing.join(', ')}, or the whole configuration with --config FILE`,
    );
  }
  if (flags.ca) readCaBundle(flags.ca.pem, flags.ca.source);
  const raw: Record<string, unknown> = {
    hostname: flags.hostname,
    // Digits become a number; anything else is left for the schema to refuse by name.
    port: flags.port === undefined ? 443 : /^\d+$/.test(flags.port.trim()) ? Number(flags.port) : flags.port,
    ca: flags.ca?.pem,
    fields: flags.fields ? parseFields(flags.fields.text, flags.fields.source) : undefined,
    exp: flags.exp ? parseExp(flags.exp, nowMs) : Math.floor(nowMs / 1000) + DEFAULT_EXP_SECONDS,
  };
  if (flags.alertTypes !== undefined) {
    raw['alert_types'] = flags.alertTypes
      .split(',')
      .map((type) => type.trim().toLowerCase())
      .filter(Boolean);
  }
  if (flags.preferTyped !== undefined) raw['prefer_typed'] = flags.preferTyped;
  return checkTelemetryConfig(raw, 'the configuration', nowMs);
}

/** Reads and checks Tesla's configuration JSON (`--config FILE`); a missing `exp` gets the default. */
export function telemetryConfigFromJson(text: string, source: string, nowMs: number): CheckedTelemetryConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatehouseError('FLEET_CONFIG_INVALID', `${source} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatehouseError('FLEET_CONFIG_INVALID', `${source} must hold a JSON object (Tesla's config)`);
  }
  // Tesla's examples wrap it as {"config": {…}} next to "vins"; take either form.
  const object = value as Record<string, unknown>;
  const inner = object['config'] && typeof object['config'] === 'object' ? object['config'] : object;
  return telemetryConfigFromObject(inner as Record<string, unknown>, source, nowMs);
}

/**
 * Checks a configuration as tools send it: a missing `exp` gets the default and fields may use
 * the `{"VehicleSpeed": 10}` shorthand, as in `--config FILE` and on fleet-proxy routes.
 */
export function telemetryConfigFromObject(
  given: Readonly<Record<string, unknown>>,
  source: string,
  nowMs: number,
): CheckedTelemetryConfig {
  const config = { ...given };
  if (config['exp'] === undefined) config['exp'] = Math.floor(nowMs / 1000) + DEFAULT_EXP_SECONDS;
  if (config['fields'] && typeof config['fields'] === 'object' && !Array.isArray(config['fields'])) {
    config['fields'] = parseFields(JSON.stringify(config['fields']), `${source}: fields`);
  }
  return checkTelemetryConfig(config, source, nowMs);
}
