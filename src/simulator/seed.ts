import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GatehouseError } from '../core/errors.ts';

/**
 * The simulator's seed: who and what exists in the simulated Tesla cloud. YAML or JSON:
 *
 * ```yaml
 * apps:                          # developer.tesla.com applications
 *   - client_id: gatehouse-sim-client
 *     client_secret: gatehouse-sim-secret
 *     name: Gatehouse simulator app
 *     redirect_uris:             # exact, or with ':*' for any port; 'http://localhost:*' alone allows any path
 *       - http://localhost:*
 *     allowed_origins: [localhost]   # domains the app may register as partner (host names or https:// origins)
 *     require_partner_registration: true   # Tesla answers 412 until the app registers in a region
 * accounts:
 *   - email: driver@example.com
 *     password: tesla
 *     region: na                 # na | eu | cn: where the account lives (others answer 421)
 *     authorized_apps: [gatehouse-sim-client]  # apps partner tokens may act for, before any login
 *     vehicles:
 *       - vin: 5YJ3E7EB2NF000001
 *         display_name: Blue
 *         firmware: 2024.26.5    # below 2024.26 telemetry configs are skipped as unsupported_firmware
 *         state: online          # online | asleep | offline
 *         paired_domains: []     # domains whose key the vehicle holds (virtual key paired)
 *         unsupported_hardware: false
 *         other_telemetry_configs: 0   # configs of other apps, counting toward the five allowed
 *         string_values: false   # true: firmware from before August 2025, which sends numbers and
 *                                # booleans as strings unless the configuration sets prefer_typed
 * token_lifetimes: { access_token_seconds: 28800, refresh_token_seconds: 7776000, auth_code_seconds: 300 }
 * rate_limits: { requests_per_minute: 600, vehicle_data_per_minute: 60, wake_up_per_minute: 3 }
 * wake_up_seconds: 10            # how long an asleep vehicle takes to come online after wake_up
 * ```
 */

const REGION = z.enum(['na', 'eu', 'cn']);
const VEHICLE_STATE = z.enum(['online', 'asleep', 'offline']);

const vehicleSchema = z.strictObject({
  vin: z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'a VIN is 17 letters and digits (no I, O or Q)'),
  display_name: z.string().default('My Tesla'),
  firmware: z.string().regex(/^\d{4}\.\d+(\.\d+)*$/, 'firmware is written like 2024.26.5'),
  state: VEHICLE_STATE.default('online'),
  paired_domains: z.array(z.string()).default([]),
  unsupported_hardware: z.boolean().default(false),
  other_telemetry_configs: z.number().int().min(0).max(5).default(0),
  // Tesla's firmware has sent typed values whatever `prefer_typed` says since August 2025.
  string_values: z.boolean().default(false),
});

const accountSchema = z.strictObject({
  email: z.string().email(),
  password: z.string().min(1),
  full_name: z.string().default('Simulated Driver'),
  region: REGION,
  authorized_apps: z.array(z.string()).default([]),
  vehicles: z.array(vehicleSchema).default([]),
});

const appSchema = z.strictObject({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  name: z.string().default('Simulated application'),
  description: z.string().default(''),
  redirect_uris: z.array(z.string()).default([]),
  allowed_origins: z.array(z.string()).default([]),
  require_partner_registration: z.boolean().default(true),
});

/** The zod schema of a seed file. */
export const seedSchema = z.strictObject({
  apps: z.array(appSchema).min(1),
  accounts: z.array(accountSchema).default([]),
  token_lifetimes: z
    .strictObject({
      access_token_seconds: z.number().int().positive().default(28_800),
      refresh_token_seconds: z.number().int().positive().default(7_776_000),
      auth_code_seconds: z.number().int().positive().default(300),
    })
    .prefault({}),
  rate_limits: z
    .strictObject({
      requests_per_minute: z.number().int().positive().default(600),
      vehicle_data_per_minute: z.number().int().positive().default(60),
      wake_up_per_minute: z.number().int().positive().default(3),
    })
    .prefault({}),
  wake_up_seconds: z.number().min(0).default(10),
});

/** A seed as the simulator uses it, defaults filled in. */
export type Seed = z.output<typeof seedSchema>;
/** A seed as written in a file. */
export type SeedInput = z.input<typeof seedSchema>;
/** One of Tesla's Fleet API regions. */
export type Region = z.infer<typeof REGION>;
/** What a vehicle is doing: only `online` vehicles answer. */
export type VehicleState = z.infer<typeof VEHICLE_STATE>;
/** Every region, in Tesla's order. */
export const REGIONS: readonly Region[] = REGION.options;
/** Every vehicle state. */
export const VEHICLE_STATES: readonly VehicleState[] = VEHICLE_STATE.options;

/** The seed used when none is given: one app, a driver in NA with two vehicles, one in EU. */
export const DEFAULT_SEED_INPUT: SeedInput = {
  apps: [
    {
      client_id: 'gatehouse-sim-client',
      client_secret: 'gatehouse-sim-secret',
      name: 'Gatehouse simulator app',
      description: 'The application every simulated account knows',
      redirect_uris: ['http://localhost:*', 'http://127.0.0.1:*'],
      allowed_origins: ['localhost'],
    },
  ],
  accounts: [
    {
      email: 'driver@example.com',
      password: 'tesla',
      full_name: 'Sam Driver',
      region: 'na',
      authorized_apps: ['gatehouse-sim-client'],
      vehicles: [
        { vin: '5YJ3E7EB2NF000001', display_name: 'Blue Bolt', firmware: '2024.26.5', state: 'online' },
        { vin: '7SAYGDEE1PF000002', display_name: 'Night Owl', firmware: '2024.32.7', state: 'asleep' },
      ],
    },
    {
      email: 'fahrer@example.eu',
      password: 'tesla',
      full_name: 'Eva Fahrer',
      region: 'eu',
      authorized_apps: ['gatehouse-sim-client'],
      vehicles: [{ vin: 'LRW3E7EK4PC000003', display_name: 'Kiel', firmware: '2024.38.4', state: 'online' }],
    },
  ],
};

/** The seed with every vehicle on firmware from before August 2025: strings unless `prefer_typed`. */
export function withStringValues(seed: Seed): Seed {
  return {
    ...seed,
    accounts: seed.accounts.map((account) => ({
      ...account,
      vehicles: account.vehicles.map((vehicle) => ({ ...vehicle, string_values: true })),
    })),
  };
}

/** Checks a seed object; throws a {@link GatehouseError} naming each wrong field. */
export function validateSeed(input: unknown, source = 'the seed'): Seed {
  const result = seedSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `  ${issue.path.join('.') || '(top)'}: ${issue.message}`)
      .join('\n');
    throw new GatehouseError('SIM_SEED_INVALID', `${source} is not a valid seed:\n${issues}`);
  }
  const seed = result.data;
  const clientIds = new Set(seed.apps.map((a) => a.client_id));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const account of seed.accounts) {
    for (const id of account.authorized_apps) {
      if (!clientIds.has(id)) problems.push(`${account.email}: authorized_apps names unknown app ${id}`);
    }
    for (const vehicle of account.vehicles) {
      if (seen.has(vehicle.vin)) problems.push(`vehicle ${vehicle.vin} appears twice`);
      seen.add(vehicle.vin);
    }
  }
  if (new Set(seed.accounts.map((a) => a.email.toLowerCase())).size !== seed.accounts.length) {
    problems.push('two accounts share an email');
  }
  if (clientIds.size !== seed.apps.length) problems.push('two apps share a client_id');
  if (problems.length) {
    throw new GatehouseError(
      'SIM_SEED_INVALID',
      `${source} is not a valid seed:\n  ${problems.join('\n  ')}`,
    );
  }
  return seed;
}

/** The default seed, validated. */
export function defaultSeed(): Seed {
  return validateSeed(DEFAULT_SEED_INPUT, 'the default seed');
}

/** Parses a seed file's text (YAML, hence JSON too). */
export function parseSeed(text: string, source: string): Seed {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new GatehouseError(
      'SIM_SEED_INVALID',
      `${source} is neither YAML nor JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return validateSeed(value, source);
}
