import { GatehouseError } from '../core/errors.ts';
import type { Seed } from './seed.ts';
import { originHost } from './world.ts';

/**
 * `gatehouse fleet simulate --vehicles N`: N more vehicles for the seed's first account, online and
 * paired with every domain the seed's apps may register, so a fleet (or a benchmark's load) is one
 * flag. VINs are the same on every run: Model 3s from Fremont with serials from 200001, each with
 * a valid check digit.
 */

/** The most vehicles `--vehicles` adds. */
export const MAX_EXTRA_VEHICLES = 100_000;

const FIRST_SERIAL = 200_001;
const FIRMWARE = '2024.44.25';
const TRANSLITERATION: Readonly<Record<string, number>> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** The check digit (position 9) of a 17-character VIN, as ISO 3779 computes it. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i] ?? '0';
    const value = /\d/.test(c) ? Number(c) : (TRANSLITERATION[c] ?? 0);
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const digit = sum % 11;
  return digit === 10 ? 'X' : String(digit);
}

/** The VIN of the `n`th extra vehicle (from 0). */
export function extraVin(n: number): string {
  const draft = `5YJ3E7EB0NF${String(FIRST_SERIAL + n).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

/** Checks `--vehicles`'s text: a whole number from 0 to {@link MAX_EXTRA_VEHICLES}. */
export function parseVehicleCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(count) || count > MAX_EXTRA_VEHICLES) {
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      `--vehicles ${text}: give a whole number of vehicles from 0 to ${MAX_EXTRA_VEHICLES}`,
    );
  }
  return count;
}

/** The seed with `count` more vehicles on its first account; the VINs added, in order. */
export function withExtraVehicles(seed: Seed, count: number): { seed: Seed; vins: string[] } {
  if (count === 0) return { seed, vins: [] };
  const [account, ...others] = seed.accounts;
  if (!account) {
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      "--vehicles adds vehicles to the seed's first account, and this seed has none: add an account to it",
    );
  }
  const taken = new Set(seed.accounts.flatMap((a) => a.vehicles.map((v) => v.vin)));
  const domains = [...new Set(seed.apps.flatMap((app) => app.allowed_origins.map(originHost)))];
  const vins: string[] = [];
  for (let n = 0; vins.length < count; n++) {
    const vin = extraVin(n);
    if (!taken.has(vin)) vins.push(vin);
  }
  const vehicles = vins.map((vin, i) => ({
    vin,
    display_name: `Fleet ${String(i + 1).padStart(String(count).length, '0')}`,
    firmware: FIRMWARE,
    state: 'online' as const,
    paired_domains: domains,
    unsupported_hardware: false,
    other_telemetry_configs: 0,
    string_values: false,
  }));
  return {
    seed: { ...seed, accounts: [{ ...account, vehicles: [...account.vehicles, ...vehicles] }, ...others] },
    vins,
  };
}
